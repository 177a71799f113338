package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.access.ClusterAccess;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.access.ClusterEvents;
import io.shopdb.operator.kube.CachedObjects;
import io.shopdb.operator.kube.Claims;
import io.shopdb.operator.kube.DeclaredObjects;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.DesiredGrants;
import io.shopdb.operator.sql.DesiredRole;
import io.shopdb.operator.sql.RoleCatalog;
import io.shopdb.operator.sql.RoleInUseException;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgresRole: validate → claim the name → wait for the cluster → role attributes and membership →
 * password → grants per database (drift reverted) → connection Secret → report. Deleting drops the role only
 * under reclaimPolicy Delete, and refuses while it still owns objects.
 */
@ControllerConfiguration(name = "postgresrole")
public class PostgresRoleReconciler implements Reconciler<PostgresRole>, Cleaner<PostgresRole> {
    private static final String PASSWORD_SECRET_INDEX = "password-secret";

    @Inject KubernetesClient client;
    @Inject ClusterAccess clusters;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;
    @Inject RolePasswords passwords;

    private List<InformerEventSource<Secret, ?>> secrets;
    private InformerEventSource<PostgresPooler, PostgresRole> poolers;
    private InformerEventSource<PostgresDatabase, PostgresRole> grantDatabases;
    private InformerEventSource<PostgresRole, PostgresRole> memberOfRoles;

    /**
     * Everything a reconcile reads from Kubernetes comes from these caches: the claims index of the roles
     * themselves, the referenced cluster (whose Ready change wakes its roles), and Secrets (the password
     * Secret given or generated, the connection Secret), whose changes wake the role that uses them. Secrets in
     * two informers, each label-selected (see kube/CachedObjects): those the operator made, and a user's a resource
     * references (a given password Secret is labelled so the first time the role reads it); every other Secret of
     * the namespace stays out of the operator's memory.
     */
    @Override
    public List<EventSource<?, PostgresRole>> prepareEventSources(EventSourceContext<PostgresRole> context) {
        Claims.index(context, PostgresRoleReconciler::clusterName, o -> o.getSpec() == null ? null : RoleSpecs.roleName(o));
        context.getPrimaryCache().addIndexer(PASSWORD_SECRET_INDEX, r -> r.getSpec() == null || r.getSpec().getPasswordSecretRef() == null
                ? List.of() : List.of(References.key(r.getMetadata().getNamespace(), r.getSpec().getPasswordSecretRef().getName())));
        var passwordUsers = References.<Secret, PostgresRole>referencedBy(context, PASSWORD_SECRET_INDEX);
        var made = secretSource(context, "secrets", CachedObjects.MADE_BY_OPERATOR, passwordUsers);
        var referenced = secretSource(context, "referenced-secrets", CachedObjects.REFERENCED, passwordUsers);
        secrets = List.of(made, referenced);
        poolers = RolePoolers.source(context, PostgresRoleReconciler::clusterName);
        // what a role may wait for besides its cluster: the databases its grants name, the roles it joins
        grantDatabases = DeclaredObjects.DATABASES.source(context, "grant-databases", PostgresRoleReconciler::clusterName,
                r -> r.getSpec().getGrants().stream().map(g -> g.getDatabase()).toList());
        memberOfRoles = DeclaredObjects.ROLES.source(context, "member-of", PostgresRoleReconciler::clusterName,
                r -> r.getSpec().getMemberOf());
        return List.of(ClusterEvents.source(context, PostgresRoleReconciler::clusterName), made, referenced, poolers, grantDatabases, memberOfRoles);
    }

    /** One of the two Secret informers: the same mapping and filters, each with its label selector. */
    private static InformerEventSource<Secret, PostgresRole> secretSource(EventSourceContext<PostgresRole> context, String name,
                                                                          String labelSelector, SecondaryToPrimaryMapper<Secret> passwordUsers) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, PostgresRole.class)
                .withName(name)
                .withLabelSelector(labelSelector)
                .withSecondaryToPrimaryMapper(s -> {
                    Set<ResourceID> ids = new HashSet<>(passwordUsers.toPrimaryResourceIDs(s));
                    String owner = RoleSecretLabels.owner(s);
                    if (owner != null) {
                        ids.add(new ResourceID(owner, s.getMetadata().getNamespace()));
                    }
                    return ids;
                })
                // The Secrets a role's reconcile creates itself (generated password, connection Secret) wake no one
                // when they appear, nor the connection Secret when it is rewritten: that reconcile already did the
                // work, and a second one per Secret would double the catalog reads of a thousand new roles. A
                // password Secret whose data changes (rotated by hand) or any Secret deleted still wakes its role.
                .withOnAddFilter(s -> !operatorMade(s))
                .withOnUpdateFilter((now, before) -> !(operatorMade(now) && now.getMetadata().getName().endsWith(ConnectionSecrets.SUFFIX))
                        && !java.util.Objects.equals(now.getData(), before.getData()))
                .build(), context);
    }

    @Override
    public UpdateControl<PostgresRole> reconcile(PostgresRole role, Context<PostgresRole> context) {
        return statusWriter.run(role, context, PostgresRoleStatus::new, status -> {
            Outcome invalid = SpecValidator.outcome(RoleSpecs.VALIDATOR.validate(role));
            if (invalid != null) {
                return invalid;
            }
            DesiredRole desired = RoleSpecs.desired(role);
            Map<String, DesiredGrants> grants = RoleSpecs.grants(role);
            status.setRoleName(desired.name());
            PostgresRole owner = claimOwner(role, context);
            if (!Claims.isOwner(owner, role)) {
                return Outcome.stalled(Reasons.CONFLICT, "PostgresRole " + owner.getMetadata().getName()
                        + " already manages role " + desired.name() + " on cluster " + role.getSpec().getClusterRef().getName());
            }
            try {
                ClusterAccess.Target target = target(role, context);
                return new RoleSync(client, passwords, events, secretLookup(), RolePoolers.of(role, poolers), dependencies(role))
                        .sync(role, desired, grants, target, status);
            } catch (ClusterAccess.WaitingException e) {
                return e.outcome();
            } catch (SQLException e) {
                return Outcome.reconciling(SqlErrors.reason(e), "SQL failed, will retry: " + Messages.firstLine(e));
            }
        });
    }

    /** Whether a missing database or role is declared by a resource whose next status change will wake this role. */
    private RoleSync.Dependencies dependencies(PostgresRole role) {
        String ns = role.getMetadata().getNamespace();
        String cluster = clusterName(role);
        return new RoleSync.Dependencies(
                database -> DeclaredObjects.willChange(DeclaredObjects.DATABASES.find(grantDatabases, ns, cluster, database)),
                member -> DeclaredObjects.willChange(DeclaredObjects.ROLES.find(memberOfRoles, ns, cluster, member)));
    }

    private static boolean operatorMade(Secret s) {
        return RoleSecretLabels.owner(s) != null;
    }

    private ClusterAccess.Target target(PostgresRole role, Context<PostgresRole> context) throws ClusterAccess.WaitingException {
        return clusters.ready(context.getSecondaryResource(PostgresCluster.class).orElse(null), clusterName(role), secretLookup());
    }

    private SecretLookup secretLookup() {
        return SecretLookup.cached(secrets, client);
    }

    private static String clusterName(PostgresRole r) {
        return r.getSpec() == null || r.getSpec().getClusterRef() == null ? null : r.getSpec().getClusterRef().getName();
    }

    private static PostgresRole claimOwner(PostgresRole role, Context<PostgresRole> context) {
        return Claims.ownerOf(context.getPrimaryCache(), role, PostgresRoleReconciler::clusterName,
                o -> o.getSpec() == null ? null : RoleSpecs.roleName(o));
    }

    @Override
    public DeleteControl cleanup(PostgresRole role, Context<PostgresRole> context) {
        String name = RoleSpecs.roleName(role);
        if (role.getSpec().getReclaimPolicy() != ReclaimPolicy.Delete || !Claims.isOwner(claimOwner(role, context), role)) {
            return DeleteControl.defaultDelete();
        }
        try {
            ClusterAccess.Target target = target(role, context);
            List<String> databases = new java.util.ArrayList<>(RoleSpecs.grants(role).keySet());
            try (Connection c = target.open()) {
                databases.removeAll(DatabaseCatalog.missing(c, databases)); // gone already: nothing to drop there
            }
            for (String database : databases) {
                try (Connection c = target.open(database)) {
                    RoleCatalog.dropPrivileges(c, name);
                }
            }
            try (Connection c = target.open()) {
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
            if (context.getSecondaryResource(PostgresCluster.class).isEmpty()) {
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
