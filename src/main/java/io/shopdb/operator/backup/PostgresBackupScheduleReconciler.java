package io.shopdb.operator.backup;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresBackupSchedule controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresbackupschedule")
public class PostgresBackupScheduleReconciler extends NotImplementedReconciler<PostgresBackupScheduleStatus, PostgresBackupSchedule> {
    @Override
    protected Supplier<PostgresBackupScheduleStatus> newStatus() {
        return PostgresBackupScheduleStatus::new;
    }
}
