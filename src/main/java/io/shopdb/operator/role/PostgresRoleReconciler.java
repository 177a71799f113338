package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.cluster.ClusterAccess;
import io.shopdb.operator.kube.Claims;
import io.shopdb.operator.sql.DesiredGrants;
import io.shopdb.operator.sql.DesiredRole;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.RoleCatalog;
import io.shopdb.operator.sql.RoleInUseException;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * PostgresRole: validate → claim the name → wait for the cluster → role attributes and membership →
 * password → grants per database (drift reverted) → connection Secret → report. Deleting drops the role only
 * under reclaimPolicy Delete, and refuses while it still owns objects.
 */
@ControllerConfiguration(name = "postgresrole")
public class PostgresRoleReconciler implements Reconciler<PostgresRole>, Cleaner<PostgresRole> {
    @Inject KubernetesClient client;
    @Inject ClusterAccess clusters;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;
    @Inject RolePasswords passwords;

    @Override
    public UpdateControl<PostgresRole> reconcile(PostgresRole role, Context<PostgresRole> context) {
        return statusWriter.run(role, PostgresRoleStatus::new, status -> {
            DesiredRole desired;
            Map<String, DesiredGrants> grants;
            try {
                desired = RoleSpecs.desired(role);
                grants = RoleSpecs.grants(role);
            } catch (IllegalArgumentException e) {
                return Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage());
            }
            status.setRoleName(desired.name());
            PostgresRole owner = claimOwner(role);
            if (!Claims.isOwner(owner, role)) {
                return Outcome.stalled(Reasons.CONFLICT, "PostgresRole " + owner.getMetadata().getName()
                        + " already manages role " + desired.name() + " on cluster " + role.getSpec().getClusterRef().getName());
            }
            try {
                ClusterAccess.Target target = clusters.readyCluster(role.getMetadata().getNamespace(), role.getSpec().getClusterRef().getName());
                return new RoleSync(client, passwords, events).sync(role, desired, grants, target, status);
            } catch (ClusterAccess.WaitingException e) {
                return Outcome.reconciling(e.reason(), e.getMessage());
            } catch (SQLException e) {
                return Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "SQL failed, will retry: " + Messages.firstLine(e));
            }
        });
    }

    private PostgresRole claimOwner(PostgresRole role) {
        return Claims.ownerOf(client, PostgresRole.class, role,
                o -> o.getSpec() == null || o.getSpec().getClusterRef() == null ? null : o.getSpec().getClusterRef().getName(),
                o -> o.getSpec() == null ? null : RoleSpecs.roleName(o));
    }

    @Override
    public DeleteControl cleanup(PostgresRole role, Context<PostgresRole> context) {
        String name = RoleSpecs.roleName(role);
        if (role.getSpec().getReclaimPolicy() != ReclaimPolicy.Delete || !Claims.isOwner(claimOwner(role), role)) {
            return DeleteControl.defaultDelete();
        }
        try {
            ClusterAccess.Target target = clusters.readyCluster(role.getMetadata().getNamespace(), role.getSpec().getClusterRef().getName());
            for (String database : RoleSpecs.grants(role).keySet()) {
                try (Connection c = PgConnections.open(target.admin().withDatabase(database))) {
                    RoleCatalog.dropPrivileges(c, name);
                } catch (SQLException e) {
                    if (!"3D000".equals(e.getSQLState())) { // database already gone: nothing to drop there
                        throw e;
                    }
                }
            }
            try (Connection c = PgConnections.open(target.admin())) {
                RoleCatalog.drop(c, name);
            }
            events.normal(role, "Dropped", "Role " + name + " dropped (reclaimPolicy Delete)");
            return DeleteControl.defaultDelete();
        } catch (RoleInUseException e) {
            String message = "Role " + name + " was not dropped: " + e.getMessage()
                    + ". Reassign or drop those objects (REASSIGN OWNED / DROP OWNED), or set reclaimPolicy: Retain";
            markStalled(role, message);
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
        } catch (ClusterAccess.WaitingException e) {
            if (client.resources(PostgresCluster.class).inNamespace(role.getMetadata().getNamespace())
                    .withName(role.getSpec().getClusterRef().getName()).get() == null) {
                return DeleteControl.defaultDelete(); // the cluster is gone, and the role with it
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10));
        } catch (SQLException e) {
            events.warning(role, "DropFailed", Messages.firstLine(e));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10));
        }
    }

    /** A deletion that cannot finish is Stalled, with what to do, so it does not look like progress (StatusWriter also sends the Event). */
    private void markStalled(PostgresRole role, String message) {
        statusWriter.record(role, PostgresRoleStatus::new, Outcome.stalled(Reasons.DROP_REFUSED, message));
    }
}
