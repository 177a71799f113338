package io.shopdb.operator.backup;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresRestore controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresrestore")
public class PostgresRestoreReconciler extends NotImplementedReconciler<PostgresRestoreStatus, PostgresRestore> {
    @Override
    protected Supplier<PostgresRestoreStatus> newStatus() {
        return PostgresRestoreStatus::new;
    }
}
