package io.shopdb.operator.database;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresDatabase controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresdatabase")
public class PostgresDatabaseReconciler extends NotImplementedReconciler<PostgresDatabaseStatus, PostgresDatabase> {
    @Override
    protected Supplier<PostgresDatabaseStatus> newStatus() {
        return PostgresDatabaseStatus::new;
    }
}
