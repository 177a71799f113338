package io.shopdb.operator.migration;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.DatabaseSpecs;
import io.shopdb.operator.access.QueryBudgetSpecs;
import io.shopdb.operator.access.QueryBudgetSpecs.Declared;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.Hashes;
import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.QueryBudgetChecks.Result;
import io.shopdb.operator.sql.QueryBudgetChecks.Verdict;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * spec.checkBudgets: OnCopy. Before production is migrated, the backup just taken (spec.backupBefore) is restored into
 * a copy on the same cluster (a PostgresRestore the migration owns), ANALYZEd (a restore brings no statistics), migrated
 * with the same scripts as the same role, and the database's query budgets run there, all on the primary. Production is
 * migrated only when every budget is met on the copy; otherwise the migration is Stalled and nothing touched
 * production. The copy is dropped and its PostgresRestore deleted either way; the verdict is kept per set of scripts
 * and budgets (status.budgetCheck), so the same inputs are not checked twice.
 */
final class BudgetsOnCopy {
    static final String EXCEEDED = "QueryBudgetExceededOnCopy";
    static final String MIGRATION_FAILED = "MigrationFailedOnCopy";
    static final String COPY_FAILED = "CopyFailed";
    static final String WAITING = "WaitingForCopy";
    static final String COPY_PREFIX = "shopdb_copy_";
    private static final Logger LOG = Logger.getLogger(BudgetsOnCopy.class);

    private BudgetsOnCopy() {}

    /**
     * Null when production may be migrated (the budgets were met on the copy, or the database declares none); else
     * what the migration is now: waiting for the copy, or Stalled on a budget.
     *
     * @param owned      the migration's PostgresRestores as the informer holds them
     * @param backupName the PostgresBackup taken before migrating (Ready)
     */
    static Outcome check(KubernetesClient client, List<PostgresRestore> owned, PostgresMigration m, PostgresDatabase db,
                         ClusterAccess.Target target, MigrationInputs.Inputs inputs, String backupName, String runAsField,
                         PostgresMigrationStatus status, EventRecorder events) {
        List<Declared> budgets = QueryBudgetSpecs.declared(db);
        if (budgets.isEmpty()) {
            return null;
        }
        String key = Hashes.sha256Hex(inputs.hash() + budgets.stream().map(Declared::specHash).collect(Collectors.joining(",")), 16);
        PostgresMigrationStatus.BudgetCheck last = status.getBudgetCheck();
        boolean decided = last != null && key.equals(last.getInputs());
        // named after scripts and budgets: a changed budget gets a new copy, never one still being deleted
        String name = PreMigrationBackups.childName(m, "copy", key);
        String copy = COPY_PREFIX + key.substring(0, 12);
        // copies of other inputs (changed while one was made), or of these once decided (a drop that failed): removed
        for (PostgresRestore old : owned) {
            if (decided || !old.getMetadata().getName().equals(name)) {
                removeCopy(client, target, old);
            }
        }
        if (decided) {
            return Boolean.TRUE.equals(last.getPassed()) ? null : Outcome.stalledOnInputs(EXCEEDED, refusal(last));
        }
        PostgresRestore restore = owned.stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst().orElse(null);
        String waiting = "Restoring PostgresBackup " + backupName + " into database " + copy + " (PostgresRestore " + name
                + ") to migrate it and check the query budgets there before production (spec.checkBudgets: OnCopy)";
        if (restore == null) {
            try {
                client.resource(build(m, db, name, backupName, copy)).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // made by an earlier reconcile (or still being deleted): its events will come
            }
            return Outcome.waitingForEvent(WAITING, waiting);
        }
        var stalled = Conditions.stalled(restore.getStatus());
        if (stalled != null) {
            return Outcome.stalledOnInputs(COPY_FAILED, "The copy to check the query budgets on could not be restored (PostgresRestore " + name
                    + ": " + stalled.getReason() + ": " + stalled.getMessage() + "), so production was not migrated");
        }
        if (!Conditions.isReady(restore.getStatus())) {
            return Outcome.waitingForEvent(WAITING, waiting);
        }
        PostgresMigrationStatus.BudgetCheck check = new PostgresMigrationStatus.BudgetCheck();
        check.setInputs(key);
        check.setRestore(name);
        Outcome outcome = migrateAndCheck(target, inputs, copy, runAsField, budgets, check);
        if (outcome != null && !outcome.isStalled()) {
            return outcome; // interrupted: retried on the same copy (Flyway goes on from its history)
        }
        removeCopy(client, target, restore);
        check.setCheckedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        status.setBudgetCheck(check);
        if (outcome != null) {
            events.warning(m, outcome.reason(), outcome.message());
            return outcome;
        }
        events.normal(m, "BudgetsMetOnCopy", "Every query budget was met on the migrated copy: " + String.join("; ", check.getResults()));
        return null;
    }

    /** Null when every budget was met; Stalled when one was not or the scripts failed on the copy; Reconciling when interrupted. */
    private static Outcome migrateAndCheck(ClusterAccess.Target target, MigrationInputs.Inputs inputs, String copy, String runAsField,
                                           List<Declared> budgets, PostgresMigrationStatus.BudgetCheck check) {
        PgEndpoint copyEndpoint = target.admin().withDatabase(copy);
        try (Connection admin = target.open(copy)) {
            try (Statement st = admin.createStatement()) {
                st.execute("ANALYZE"); // pg_restore brings no statistics: without them every plan would be a guess
            }
            FlywayRunner.Report report = FlywayRunner.migrateAsOwner(admin, copyEndpoint, inputs.scripts(), inputs.settings(), runAsField, false);
            if (report.failure() != null) {
                if (report.failure().serverTrouble()) {
                    return Outcome.reconciling(WAITING, "The migration of the copy was interrupted, will retry: " + report.failure().message());
                }
                check.setPassed(false);
                check.setResults(List.of(Messages.bounded("the scripts failed on the copy: " + (report.failure().script() == null ? ""
                        : report.failure().script() + ": ") + report.failure().message(), 1024)));
                return Outcome.stalledOnInputs(MIGRATION_FAILED, refusal(check));
            }
            List<Result> results = QueryBudgetSpecs.check(admin, copyEndpoint, budgets);
            var interrupted = results.stream().filter(BudgetsOnCopy::interrupted).findFirst();
            if (interrupted.isPresent()) {
                // the server, not the scripts: no verdict on these inputs, the check runs again on the same copy
                return Outcome.reconciling(WAITING, "The check on the copy was interrupted, will retry: " + interrupted.get().message());
            }
            check.setResults(results.stream().map(BudgetsOnCopy::describe).toList());
            check.setPassed(results.stream().allMatch(r -> r.verdict() == Verdict.WITHIN));
            return check.getPassed() ? null : Outcome.stalledOnInputs(EXCEEDED, refusal(check));
        } catch (OwnerSession.RefusedRoleException e) {
            return Outcome.reconciling("WaitingForRole", e.getMessage());
        } catch (SQLException e) {
            return Outcome.reconciling(SqlErrors.reason(e), "The check on the copy was interrupted, will retry: " + Messages.firstLine(e));
        }
    }

    static String describe(Result r) {
        String what = r.budget().name() + ": " + r.verdict().name().toLowerCase(Locale.ROOT) + ", " + r.message();
        return Messages.bounded(r.plan() == null ? what : what + "; plan " + r.plan().hash() + " " + r.plan().shape(), 1024);
    }

    private static String refusal(PostgresMigrationStatus.BudgetCheck check) {
        return "Production was not migrated: on a migrated copy (PostgresRestore " + check.getRestore() + ") "
                + check.getResults().stream().filter(r -> !r.contains(": within,")).collect(Collectors.joining("; "))
                + ". Change the scripts or the budgets (PostgresDatabase spec.queryBudgets) to check again";
    }

    /** A check that failed for the connection's sake (a login that did not come through, a session cut), not the query's. */
    static boolean interrupted(Result r) {
        if (r.verdict() != Verdict.FAILED || r.message() == null) {
            return false;
        }
        return r.message().startsWith("could not log in") || r.message().contains("SQLSTATE 08") || r.message().contains("SQLSTATE 57P")
                || r.message().contains("no SQLSTATE");
    }

    /**
     * Drops a copy's database ({@value #COPY_PREFIX}..., the PostgresRestore's target) and then deletes the PostgresRestore;
     * when the drop fails the PostgresRestore stays, so the next reconcile tries again.
     */
    private static void removeCopy(KubernetesClient client, ClusterAccess.Target target, PostgresRestore restore) {
        String copy = restore.getSpec() == null ? null : restore.getSpec().getTargetDatabase();
        if (copy != null && copy.startsWith(COPY_PREFIX)) {
            target.closePool(copy);
            try (Connection c = target.open()) {
                DatabaseCatalog.drop(c, copy, true); // a copy of our own: the operator's metrics may have just connected to it
            } catch (SQLException e) {
                LOG.warnf("cannot drop the budget check's copy %s, will retry: %s", copy, Messages.firstLine(e));
                return;
            }
        }
        client.resource(restore).delete();
    }

    static PostgresRestore build(PostgresMigration m, PostgresDatabase db, String name, String backupName, String copy) {
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference(backupName));
        spec.setClusterRef(new LocalReference(db.getSpec().getClusterRef().getName()));
        spec.setDatabase(DatabaseSpecs.databaseName(db));
        spec.setTargetDatabase(copy);
        var restore = new PostgresRestore();
        restore.setMetadata(PreMigrationBackups.childMetadata(m, name));
        restore.setSpec(spec);
        return restore;
    }
}
