package io.shopdb.operator.migration;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.kube.CachedObjects;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.access.DatabaseSpecs;
import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PostgresMigration: validate → wait for the database → read the scripts → migrate only when the scripts or
 * settings changed (their hash) → report what the history table says. A failing script or a changed
 * applied script is Stalled with what to do; the same inputs are not retried, new inputs are.
 */
@ControllerConfiguration(name = "postgresmigration")
public class PostgresMigrationReconciler implements Reconciler<PostgresMigration> {
    static final int STATUS_HISTORY = 50;

    @Inject KubernetesClient client;
    @Inject ClusterAccess clusters;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;

    private InformerEventSource<PostgresCluster, PostgresMigration> clusterCache;
    private InformerEventSource<ConfigMap, PostgresMigration> configMaps;
    private InformerEventSource<PostgresBackup, PostgresMigration> backups;
    private InformerEventSource<PostgresRestore, PostgresMigration> restores;

    /**
     * All reads come from these caches: the database (its Ready change wakes its migrations), the script
     * ConfigMaps (an edit wakes the migrations that use them), the pre-migration backups it owns (their
     * completion wakes it) and the cluster behind the database; Secrets come from the shared caches. Only
     * ConfigMaps labelled as referenced are cached (see kube/CachedObjects): a migration's ConfigMap gets the label
     * the first time it is read, not every ConfigMap of the namespace sits in the operator's memory.
     */
    @Override
    public List<EventSource<?, PostgresMigration>> prepareEventSources(EventSourceContext<PostgresMigration> context) {
        var databases = References.source(context, PostgresDatabase.class, "databases",
                m -> Set.of(m.getSpec().getDatabaseRef().getName()), PostgresMigrationReconciler::readinessChanged);
        configMaps = References.source(context, ConfigMap.class, "configmaps",
                m -> m.getSpec().getSources().stream().map(PostgresMigrationSpec.MigrationSource::getConfigMap).toList(), null,
                CachedObjects.REFERENCED);
        backups = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresBackup.class, PostgresMigration.class)
                .withName("backups").withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PostgresMigration.class)).build(), context);
        // the database's readiness already follows the cluster's: this cache is for reading, not waking
        clusterCache = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresCluster.class, PostgresMigration.class)
                .withName("clusters").withSecondaryToPrimaryMapper(c -> Set.of()).build(), context);
        restores = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresRestore.class, PostgresMigration.class)
                .withName("restores").withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PostgresMigration.class)).build(), context);
        return List.of(databases, configMaps, backups, restores, clusterCache);
    }

    static boolean readinessChanged(PostgresDatabase now, PostgresDatabase before) {
        return Conditions.isReady(now.getStatus()) != Conditions.isReady(before.getStatus())
                || !java.util.Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration());
    }

    @Override
    public UpdateControl<PostgresMigration> reconcile(PostgresMigration migration, Context<PostgresMigration> context) {
        return statusWriter.run(migration, context, PostgresMigrationStatus::new, status -> {
            String ns = migration.getMetadata().getNamespace();
            PostgresDatabase db = context.getSecondaryResource(PostgresDatabase.class).orElse(null);
            if (db == null || !Conditions.isReady(db.getStatus())) {
                return Outcome.waitingForEvent("WaitingForDatabase", "PostgresDatabase " + migration.getSpec().getDatabaseRef().getName()
                        + " (spec.databaseRef) " + (db == null ? "does not exist yet" : "is not Ready yet"));
            }
            MigrationInputs.Inputs inputs;
            try {
                inputs = MigrationInputs.read(name -> CachedObjects.get(List.of(configMaps), client, ConfigMap.class, ns, name),
                        migration.getSpec(), db.getSpec().getOwner());
            } catch (MigrationInputs.MissingSourceException e) {
                // re-checked with backoff: a ConfigMap made later carries no label yet, so no informer sends its creation
                return Outcome.reconciling("WaitingForSources", e.getMessage());
            } catch (IllegalArgumentException e) {
                return Outcome.stalledOnInputs(Reasons.INVALID_SPEC, e.getMessage());
            }
            if (inputs.hash().equals(status.getFailedHash())) {
                return Outcome.stalledOnInputs(stalledReason(status), stalledMessage(status));
            }
            ClusterAccess.Target target;
            String clusterName = db.getSpec().getClusterRef().getName();
            try {
                target = clusters.ready(clusterCache.get(new ResourceID(clusterName, ns)).orElse(null), clusterName, null);
            } catch (ClusterAccess.WaitingException e) {
                return e.outcome();
            }
            String database = DatabaseSpecs.databaseName(db);
            DataSource dataSource = target.dataSource(database);
            boolean changed = !inputs.hash().equals(status.getScriptsHash());
            String runAsField = runAsField(migration, db);
            if (changed) {
                Outcome refused = refusal(target, database, inputs.settings().runAs(), runAsField);
                if (refused != null) {
                    return refused; // before a backup is taken for a migration that will not run
                }
            }
            if (changed && migration.getSpec().getBackupBefore() != null
                    && target.inTurn(database, () -> FlywayRunner.info(dataSource, inputs.scripts(), inputs.settings())).pending() > 0) {
                PreMigrationBackups.State backup = PreMigrationBackups.ensure(client, name -> backups.get(new ResourceID(name, ns)).orElse(null),
                        migration, db, inputs.hash());
                status.setPreMigrationBackup(backup.backupName());
                if (backup.failure() != null) {
                    return Outcome.stalledOnInputs(Reasons.BACKUP_FAILED, "The backup before migrating (PostgresBackup " + backup.backupName()
                            + ") failed, so nothing was migrated: " + backup.failure());
                }
                if (!backup.ready()) {
                    return Outcome.waitingForEvent(Reasons.WAITING_FOR_BACKUP, "Waiting for PostgresBackup " + backup.backupName() + " before migrating");
                }
                if (migration.getSpec().getCheckBudgets() == PostgresMigrationSpec.CheckBudgets.OnCopy) {
                    Outcome onCopy = BudgetsOnCopy.check(client, restores.list(ns, r -> r.getMetadata().getOwnerReferences() != null
                            && r.getMetadata().getOwnerReferences().stream().anyMatch(o -> migration.getMetadata().getUid().equals(o.getUid()))).toList(), migration, db,
                            target, inputs, backup.backupName(), runAsField, status, events);
                    if (onCopy != null) {
                        return onCopy;
                    }
                }
            }
            // one Flyway run per database at a time (its own advisory lock serializes runs anyway); the scripts run on a
            // session logged in as a throwaway member of the runAs role, never on the pool's superuser sessions; info only
            // reads the history table, through the pool
            FlywayRunner.Report report;
            if (changed) {
                // a failure was reported for other scripts: the person's change answers it (see stalledMessage)
                Run run = target.inTurn(database, () -> migrateAsOwner(target, database, inputs, runAsField, status.getFailedHash() != null));
                if (run.outcome() != null) {
                    return run.outcome();
                }
                report = run.report();
            } else {
                report = target.inTurn(database, () -> FlywayRunner.info(dataSource, inputs.scripts(), inputs.settings()));
            }
            record(status, report);
            if (report.failure() != null) {
                if (isConnectionTrouble(report.failure())) {
                    return Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "Migration interrupted, will retry: " + report.failure().message());
                }
                status.setFailedHash(inputs.hash());
                events.warning(migration, stalledReason(status), stalledMessage(status));
                return Outcome.stalledOnInputs(stalledReason(status), stalledMessage(status));
            }
            status.setFailure(null);
            status.setFailedHash(null);
            status.setScriptsHash(inputs.hash());
            if (report.executed() > 0) {
                events.normal(migration, "Migrated", report.executed() + " script(s) applied; schema version " + report.currentVersion());
            }
            return Outcome.ready(Reasons.READY, "Schema at version " + report.currentVersion() + ", " + report.pending() + " pending");
        });
    }

    /** A migrate's report, or why it did not run. */
    private record Run(FlywayRunner.Report report, Outcome outcome) {}

    /** How a refusal names the role the scripts run as: spec.runAs, or the database's owner when it stands in. */
    static String runAsField(PostgresMigration migration, PostgresDatabase db) {
        return migration.getSpec().getRunAs() != null ? "spec.runAs"
                : "spec.runAs (unset: the owner of PostgresDatabase " + db.getMetadata().getName() + ")";
    }

    /**
     * Stalled when the role the scripts would run as is a superuser or reaches one (or another power the operator
     * keeps to itself), Reconciling while it does not exist; null when it may run them. One catalog read, only
     * before a migrate.
     */
    private static Outcome refusal(ClusterAccess.Target target, String database, String runAs, String field) {
        if (runAs == null) {
            return Outcome.stalledOnInputs(Reasons.INVALID_SPEC, field + ": a migration needs a role to run as; set spec.runAs");
        }
        try (java.sql.Connection admin = target.open(database)) {
            String refused = OwnerSession.refusal(admin, runAs, field);
            return refused == null ? null : Outcome.stalledOnInputs(Reasons.INVALID_SPEC, refused);
        } catch (OwnerSession.RefusedRoleException e) {
            return refusedOutcome(e);
        } catch (SQLException e) {
            return Outcome.reconciling(SqlErrors.reason(e), "SQL failed, will retry: " + Messages.firstLine(e));
        }
    }

    private static Run migrateAsOwner(ClusterAccess.Target target, String database, MigrationInputs.Inputs inputs, String field,
                                      boolean forgetFailed) {
        try (java.sql.Connection admin = target.open(database)) {
            return new Run(FlywayRunner.migrateAsOwner(admin, target.admin().withDatabase(database), inputs.scripts(), inputs.settings(),
                    field, forgetFailed), null);
        } catch (OwnerSession.RefusedRoleException e) {
            return new Run(null, refusedOutcome(e));
        } catch (SQLException e) {
            return new Run(null, Outcome.reconciling(SqlErrors.reason(e), "Cannot open the migration's session, will retry: "
                    + Messages.firstLine(e)));
        }
    }

    private static Outcome refusedOutcome(OwnerSession.RefusedRoleException e) {
        return e.missing() ? Outcome.reconciling("WaitingForRole", e.getMessage()) : Outcome.stalledOnInputs(Reasons.INVALID_SPEC, e.getMessage());
    }

    private static void record(PostgresMigrationStatus status, FlywayRunner.Report report) {
        List<PostgresMigrationStatus.AppliedMigration> applied = new ArrayList<>();
        for (FlywayRunner.Applied a : report.applied()) {
            var m = new PostgresMigrationStatus.AppliedMigration();
            m.setVersion(a.version());
            m.setDescription(a.description());
            m.setType(a.type());
            m.setScript(a.script());
            m.setChecksum(a.checksum());
            m.setInstalledOn(a.installedOn());
            m.setExecutionTimeMillis(a.executionTimeMillis());
            m.setState(a.state());
            applied.add(m);
        }
        status.setAppliedCount(applied.size());
        status.setApplied(new ArrayList<>(applied.subList(Math.max(0, applied.size() - STATUS_HISTORY), applied.size())));
        status.setCurrentVersion(report.currentVersion());
        status.setPendingCount(report.pending());
        if (report.failure() != null) {
            var f = new PostgresMigrationStatus.MigrationFailure();
            f.setScript(report.failure().script());
            f.setMessage(report.failure().message());
            f.setLine(report.failure().line());
            f.setStatement(report.failure().statement());
            f.setSqlState(report.failure().sqlState());
            f.setChecksum(report.failure().checksumMismatch());
            f.setInTransaction(report.failure().inTransaction());
            status.setFailure(f);
        }
    }

    private static String stalledReason(PostgresMigrationStatus status) {
        return status.getFailure() != null && Boolean.TRUE.equals(status.getFailure().getChecksum()) ? "ChecksumMismatch" : "MigrationFailed";
    }

    private static String stalledMessage(PostgresMigrationStatus status) {
        var f = status.getFailure();
        if (f == null) {
            return "The last migrate failed; change the scripts to retry";
        }
        if (Boolean.TRUE.equals(f.getChecksum())) {
            return f.getMessage() + ". An applied script must not change: restore its original content and put the change in a new version";
        }
        if (f.getScript() == null) {
            return "Flyway refused to migrate: " + f.getMessage().replaceAll("[.\\s]+$", "") + ". Change the migration's spec or scripts"
                    + " (or the schema) accordingly";
        }
        String failed = "Script " + f.getScript() + " failed" + (f.getLine() == null ? "" : " at line " + f.getLine()) + ": " + f.getMessage()
                + (f.getSqlState() == null ? "" : " (SQLSTATE " + f.getSqlState() + ")");
        if (Boolean.FALSE.equals(f.getInTransaction())) {
            // nothing was rolled back: saying so would send a person to fix a script that may be right
            return failed + ". It ran outside a transaction, so what it did before failing stays (an interrupted CREATE INDEX"
                    + " CONCURRENTLY leaves an INVALID index): undo that in the database, then change its ConfigMap; the failed run"
                    + " Flyway recorded is then removed and the script runs again";
        }
        return failed + ". The script was rolled back; fix it in its ConfigMap and the migration runs again";
    }

    /**
     * Only what the scripts or the schema caused is Stalled: an SQL error inside a script, a changed applied script,
     * a schema Flyway refuses (non-empty without history, a failed run recorded). Trouble with the server (a
     * dropped connection, a server restarting mid-run, a lock we could not get) is retried, because the same inputs
     * may well succeed next time.
     */
    private static boolean isConnectionTrouble(FlywayRunner.Failure f) {
        if (f.checksumMismatch()) {
            return false;
        }
        if (f.script() != null) {
            return SqlErrors.unreachableState(f.sqlState()); // the server went away mid-script
        }
        return f.serverTrouble();
    }
}
