package io.shopdb.operator.role;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.status.NotImplementedReconciler;

import java.util.function.Supplier;

/** Placeholder until the PostgresRole controller lands: reports Stalled/NotImplemented. */
@ControllerConfiguration(name = "postgresrole")
public class PostgresRoleReconciler extends NotImplementedReconciler<PostgresRoleStatus, PostgresRole> {
    @Override
    protected Supplier<PostgresRoleStatus> newStatus() {
        return PostgresRoleStatus::new;
    }
}
