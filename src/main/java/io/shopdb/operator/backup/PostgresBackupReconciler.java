package io.shopdb.operator.backup;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresBackup controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresbackup")
public class PostgresBackupReconciler extends NotImplementedReconciler<PostgresBackupStatus, PostgresBackup> {
    @Override
    protected Supplier<PostgresBackupStatus> newStatus() {
        return PostgresBackupStatus::new;
    }
}
