package io.shopdb.operator.migration;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresMigration controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresmigration")
public class PostgresMigrationReconciler extends NotImplementedReconciler<PostgresMigrationStatus, PostgresMigration> {
    @Override
    protected Supplier<PostgresMigrationStatus> newStatus() {
        return PostgresMigrationStatus::new;
    }
}
