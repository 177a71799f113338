package io.shopdb.operator.database;

import io.shopdb.operator.access.DatabaseSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.access.ClusterAccess;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.access.ClusterEvents;
import io.shopdb.operator.kube.Claims;
import io.shopdb.operator.kube.DeclaredObjects;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.sql.ActualDatabase;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.DatabasePlan;
import io.shopdb.operator.sql.DesiredDatabase;
import io.shopdb.operator.sql.RoleCatalog;
import io.shopdb.operator.sql.SqlStep;
import io.shopdb.operator.sql.SqlSteps;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgresDatabase: validate → claim the name → wait for the cluster and the owner → plan and apply the
 * database → import it once (spec.import, an agent Job) → its schemas and extensions → partitions → the query budgets
 * that are due (after each migration, and every queryBudgetInterval) → report what the server has. Deleting drops the database only
 * under reclaimPolicy Delete.
 */
@ControllerConfiguration(name = "postgresdatabase")
public class PostgresDatabaseReconciler implements Reconciler<PostgresDatabase>, Cleaner<PostgresDatabase> {
    private static final Logger LOG = Logger.getLogger(PostgresDatabaseReconciler.class);
    private static final long MIB = 1024L * 1024L;

    @Inject KubernetesClient client;
    @Inject ClusterAccess clusters;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;
    @Inject DatabasePartitions partitions;
    @Inject DatabaseImports imports;
    @Inject QueryBudgets budgets;

    private InformerEventSource<PostgresRole, PostgresDatabase> roles;
    private InformerEventSource<PostgresMigration, PostgresDatabase> migrations;

    /**
     * Claims index, the referenced cluster (its Ready change wakes its databases) and the PostgresRoles (the owner's
     * status change wakes a database waiting for it; an import reads them all); Secrets come from the shared caches.
     */
    @Override
    public List<EventSource<?, PostgresDatabase>> prepareEventSources(EventSourceContext<PostgresDatabase> context) {
        Claims.index(context, PostgresDatabaseReconciler::clusterName, o -> o.getSpec() == null ? null : DatabaseSpecs.databaseName(o));
        List<EventSource<?, PostgresDatabase>> sources = new ArrayList<>(DatabaseImports.eventSources(context));
        sources.add(ClusterEvents.source(context, PostgresDatabaseReconciler::clusterName));
        roles = DeclaredObjects.ROLES.source(context, DatabaseImports.ROLES, PostgresDatabaseReconciler::clusterName,
                d -> java.util.Set.of(d.getSpec().getOwner()));
        sources.add(roles);
        migrations = MigrationVersions.source(context);
        sources.add(migrations);
        return sources;
    }

    @Override
    public UpdateControl<PostgresDatabase> reconcile(PostgresDatabase db, Context<PostgresDatabase> context) {
        return statusWriter.run(db, context, PostgresDatabaseStatus::new, status -> {
            Outcome invalid = SpecValidator.outcome(DatabaseSpecs.VALIDATOR.validate(db));
            if (invalid != null) {
                return invalid;
            }
            DesiredDatabase desired = DatabaseSpecs.desired(db);
            status.setDatabaseName(desired.name());
            PostgresDatabase owner = claimOwner(db, context);
            if (!Claims.isOwner(owner, db)) {
                return Outcome.stalled(Reasons.CONFLICT, "PostgresDatabase " + owner.getMetadata().getName()
                        + " already manages database " + desired.name() + " on cluster " + db.getSpec().getClusterRef().getName());
            }
            try {
                return apply(db, context, desired, target(db, context), status);
            } catch (ClusterAccess.WaitingException e) {
                return e.outcome();
            } catch (SQLException e) {
                return Outcome.reconciling(SqlErrors.reason(e), "SQL failed, will retry: " + Messages.firstLine(e));
            }
        });
    }

    private ClusterAccess.Target target(PostgresDatabase db, Context<PostgresDatabase> context) throws ClusterAccess.WaitingException {
        return clusters.ready(context.getSecondaryResource(PostgresCluster.class).orElse(null), clusterName(db), null);
    }

    private static String clusterName(PostgresDatabase d) {
        return d.getSpec() == null || d.getSpec().getClusterRef() == null ? null : d.getSpec().getClusterRef().getName();
    }

    private Outcome apply(PostgresDatabase db, Context<PostgresDatabase> context, DesiredDatabase desired, ClusterAccess.Target target,
                          PostgresDatabaseStatus status) throws SQLException {
        List<String> applied = new ArrayList<>();
        try (Connection c = target.open()) {
            if (RoleCatalog.read(c, desired.owner()) == null) {
                String message = "Role " + desired.owner() + " (spec.owner) does not exist yet";
                // woken by the owner's PostgresRole when one is coming, else re-checked (a role made by hand)
                return Outcome.waiting(DeclaredObjects.willChange(DeclaredObjects.ROLES.find(roles, db.getMetadata().getNamespace(),
                        clusterName(db), desired.owner())), "WaitingForOwner", message);
            }
            ActualDatabase actual = DatabaseCatalog.read(c, desired.name());
            List<String> drift = actual == null ? List.of() : DatabasePlan.immutableDrift(desired, actual);
            if (!drift.isEmpty()) {
                return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", drift));
            }
            if (!DatabasePlan.plan(desired, actual).isEmpty()) {
                applied.addAll(target.changingCatalog(desired.name(), () -> {
                    ActualDatabase before = DatabaseCatalog.read(c, desired.name());
                    List<String> ran = run(c, DatabasePlan.plan(desired, before));
                    DatabaseReclaim.recordCreated(status, before); // before == null: the plan was our CREATE DATABASE
                    return ran;
                }));
            }
        }
        // spec.import fills the new database before its schemas are made: the dump brings its own
        Outcome importing = imports.advance(db, context, target, status);
        if (importing != null) {
            return importing;
        }
        var contents = readContents(target, desired.name());
        if (!DatabasePlan.planContents(desired, contents).isEmpty()) {
            // in turn with grants and migrations on this database; the turn first, then a connection
            applied.addAll(target.changingCatalog(desired.name(), () -> {
                try (Connection c = target.open(desired.name())) {
                    return run(c, DatabasePlan.planContents(desired, DatabaseCatalog.readContents(c)));
                }
            }));
            contents = readContents(target, desired.name());
        }
        var now = contents;
        List<String> schemas = new ArrayList<>();
        desired.schemas().stream().filter(s -> !s.absent() && now.schemas().containsKey(s.name()))
                .forEach(s -> schemas.add(s.name()));
        status.setSchemas(schemas);
        List<String> extensions = new ArrayList<>();
        now.extensions().forEach((name, e) -> extensions.add(name + "@" + e.version() + " (" + e.schema() + ")"));
        status.setExtensions(extensions);
        DatabasePartitions.Result partitioned = partitions.maintain(db, target, desired.name(), status);
        applied.addAll(partitioned.applied());
        try (Connection c = target.open()) {
            var st = DatabaseCatalog.status(c, desired.name());
            status.setOwner(st.owner());
            // whole MiB: a steady database's status should not change with every autovacuum or checkpoint
            status.setSizeBytes(st.sizeBytes() / MIB * MIB);
        }
        MigrationVersions.State migrated = MigrationVersions.of(migrations, db);
        if (migrated.settling().isEmpty()) {
            // mid-migration the schema is between versions: the check follows the migration's end (its event)
            budgets.check(db, target, desired.name(), migrated.applied(), status);
        }
        if (!applied.isEmpty()) {
            status.setLastAppliedPlan(applied);
            events.normal(db, "Applied", applied.size() + " SQL step(s): " + String.join("; ", applied));
        }
        return partitioned.problem() != null ? partitioned.problem() : Outcome.ready(Reasons.READY, "Database " + desired.name() + " is as declared");
    }

    private static ActualDatabase.Contents readContents(ClusterAccess.Target target, String database) throws SQLException {
        try (Connection c = target.open(database)) {
            return DatabaseCatalog.readContents(c);
        }
    }

    private static List<String> run(Connection c, List<SqlStep> plan) throws SQLException {
        if (plan.isEmpty()) {
            return List.of();
        }
        SqlSteps.apply(c, plan);
        return plan.stream().map(SqlStep::description).toList();
    }

    /** The PostgresDatabase that owns this database name on this cluster (the oldest claimant). */
    private static PostgresDatabase claimOwner(PostgresDatabase db, Context<PostgresDatabase> context) {
        return Claims.ownerOf(context.getPrimaryCache(), db, PostgresDatabaseReconciler::clusterName,
                o -> o.getSpec() == null ? null : DatabaseSpecs.databaseName(o));
    }

    @Override
    public DeleteControl cleanup(PostgresDatabase db, Context<PostgresDatabase> context) {
        PostgresDatabase owner = claimOwner(db, context);
        boolean ownsClaim = owner.getMetadata().getName().equals(db.getMetadata().getName()) || owner.getMetadata().getDeletionTimestamp() != null;
        switch (DatabaseReclaim.onDelete(db.getSpec().getReclaimPolicy(), ownsClaim, DatabaseSpecs.databaseName(db), db.getStatus())) {
            case RETAIN -> {
                events.normal(db, "Retained", "Database " + DatabaseSpecs.databaseName(db) + " is kept (reclaimPolicy Retain)");
                return DeleteControl.defaultDelete();
            }
            case NOT_OWNER -> {
                return DeleteControl.defaultDelete(); // a conflicting claimant never owned the database
            }
            case KEEP_ADOPTED -> {
                events.warning(db, DatabaseReclaim.ADOPTED_REASON, DatabaseReclaim.adoptedMessage(DatabaseSpecs.databaseName(db)));
                return DeleteControl.defaultDelete();
            }
            case DROP -> { }
        }
        try {
            ClusterAccess.Target target = target(db, context);
            target.closePool(DatabaseSpecs.databaseName(db)); // our own idle sessions would make the drop fail
            try (Connection c = target.open()) {
                if (DatabaseCatalog.drop(c, DatabaseSpecs.databaseName(db))) {
                    events.normal(db, "Dropped", "Database " + DatabaseSpecs.databaseName(db) + " dropped (reclaimPolicy Delete)");
                }
            }
            return DeleteControl.defaultDelete();
        } catch (ClusterAccess.WaitingException e) {
            if (context.getSecondaryResource(PostgresCluster.class).isEmpty()) {
                return DeleteControl.defaultDelete(); // the cluster itself is gone: nothing left to drop
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10));
        } catch (SQLException e) {
            LOG.warnf("drop of database %s failed: %s", DatabaseSpecs.databaseName(db), Messages.firstLine(e));
            events.warning(db, "DropFailed", Messages.firstLine(e));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10));
        }
    }
}
