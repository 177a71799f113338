package io.shopdb.operator.migration;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.shopdb.operator.cluster.ClusterAccess;
import io.shopdb.operator.database.DatabaseSpecs;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

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

    @Override
    public UpdateControl<PostgresMigration> reconcile(PostgresMigration migration, Context<PostgresMigration> context) {
        return statusWriter.run(migration, PostgresMigrationStatus::new, status -> {
            String ns = migration.getMetadata().getNamespace();
            PostgresDatabase db = client.resources(PostgresDatabase.class).inNamespace(ns).withName(migration.getSpec().getDatabaseRef().getName()).get();
            if (db == null || !Conditions.isReady(db.getStatus())) {
                return Outcome.reconciling("WaitingForDatabase", "PostgresDatabase " + migration.getSpec().getDatabaseRef().getName()
                        + " (spec.databaseRef) " + (db == null ? "does not exist yet" : "is not Ready yet"));
            }
            MigrationInputs.Inputs inputs;
            try {
                inputs = MigrationInputs.read(client, ns, migration.getSpec(), db.getSpec().getOwner());
            } catch (MigrationInputs.MissingSourceException e) {
                return Outcome.reconciling("WaitingForSources", e.getMessage());
            } catch (IllegalArgumentException e) {
                return Outcome.stalledOnInputs(Reasons.INVALID_SPEC, e.getMessage());
            }
            if (inputs.hash().equals(status.getFailedHash())) {
                return Outcome.stalledOnInputs(stalledReason(status), stalledMessage(status));
            }
            PgEndpoint endpoint;
            try {
                endpoint = clusters.readyCluster(ns, db.getSpec().getClusterRef().getName()).admin().withDatabase(DatabaseSpecs.databaseName(db));
            } catch (ClusterAccess.WaitingException e) {
                return Outcome.reconciling(e.reason(), e.getMessage());
            }
            boolean changed = !inputs.hash().equals(status.getScriptsHash());
            if (changed && migration.getSpec().getBackupBefore() != null
                    && FlywayRunner.info(endpoint, inputs.scripts(), inputs.settings()).pending() > 0) {
                PreMigrationBackups.State backup = PreMigrationBackups.ensure(client, migration, db, inputs.hash());
                status.setPreMigrationBackup(backup.backupName());
                if (backup.failure() != null) {
                    return Outcome.stalledOnInputs(Reasons.BACKUP_FAILED, "The backup before migrating (PostgresBackup " + backup.backupName()
                            + ") failed, so nothing was migrated: " + backup.failure());
                }
                if (!backup.ready()) {
                    return Outcome.reconciling(Reasons.WAITING_FOR_BACKUP, "Waiting for PostgresBackup " + backup.backupName() + " before migrating");
                }
            }
            FlywayRunner.Report report = changed
                    ? FlywayRunner.migrate(endpoint, inputs.scripts(), inputs.settings())
                    : FlywayRunner.info(endpoint, inputs.scripts(), inputs.settings());
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
        return "Script " + f.getScript() + " failed" + (f.getLine() == null ? "" : " at line " + f.getLine()) + ": " + f.getMessage()
                + (f.getSqlState() == null ? "" : " (SQLSTATE " + f.getSqlState() + ")")
                + ". The script was rolled back; fix it in its ConfigMap and the migration runs again";
    }

    /**
     * Only what the scripts themselves caused is Stalled: an SQL error inside a script, or a changed applied
     * script. Anything else (a dropped connection, a server restarting mid-run, a lock we could not get) is
     * retried, because the same inputs may well succeed next time.
     */
    private static boolean isConnectionTrouble(FlywayRunner.Failure f) {
        boolean scriptError = f.script() != null && (f.sqlState() == null || !f.sqlState().startsWith("08") && !f.sqlState().startsWith("57P"));
        return !scriptError && !f.checksumMismatch();
    }
}
