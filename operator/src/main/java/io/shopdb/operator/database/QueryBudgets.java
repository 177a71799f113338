package io.shopdb.operator.database;

import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.QueryBudgetSpecs;
import io.shopdb.operator.access.QueryBudgetSpecs.Declared;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.api.v1alpha1.QueryBudgetSpec;
import io.shopdb.operator.api.v1alpha1.QueryBudgetStatus;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.QueryBudgetChecks.Result;
import io.shopdb.operator.sql.QueryBudgetChecks.Verdict;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * spec.queryBudgets of a Ready database: which budgets are due (never checked, declaration changed, a migration
 * applied since, queryBudgetInterval passed, or the last check could not run), their check where each says (a replica through the -ro Service, or
 * the primary), and the outcome in status.queryBudgets, with a Warning Event when a budget is exceeded, a check
 * fails, or a query's plan changes shape. A budget does not make the database unready: the database is as declared;
 * the verdicts are for people and alerts (shopdb_query_budget_* metrics).
 */
@ApplicationScoped
public class QueryBudgets {
    static final String EXCEEDED = "QueryBudgetExceeded";
    static final String PLAN_CHANGED = "QueryPlanChanged";
    static final String CHECK_FAILED = "QueryBudgetCheckFailed";
    static final String MET_AGAIN = "QueryBudgetMet";

    @Inject ClusterConnections connections;
    @Inject EventRecorder events;

    /**
     * Checks the due budgets of {@code db} and writes status.queryBudgets (entries of budgets no longer declared go).
     *
     * @param migrations the migrations applied to the database now, as name@version, ... (a change makes every budget due)
     */
    void check(PostgresDatabase db, ClusterAccess.Target target, String database, String migrations, PostgresDatabaseStatus status) {
        List<Declared> declared = QueryBudgetSpecs.declared(db);
        if (declared.isEmpty()) {
            status.setQueryBudgets(null);
            return;
        }
        Map<String, QueryBudgetStatus> before = new HashMap<>();
        if (status.getQueryBudgets() != null) {
            status.getQueryBudgets().forEach(s -> before.put(s.getName(), s));
        }
        Instant now = Instant.now();
        Duration interval = io.shopdb.operator.api.v1alpha1.Names.duration(db.getSpec().getQueryBudgetInterval() == null ? "1h" : db.getSpec().getQueryBudgetInterval());
        List<Declared> due = declared.stream().filter(d -> due(before.get(d.name()), d, migrations, interval, now)).toList();
        Map<String, Result> results = new HashMap<>();
        for (QueryBudgetSpec.RunOn runOn : QueryBudgetSpec.RunOn.values()) {
            List<Declared> here = due.stream().filter(d -> d.runOn() == runOn).toList();
            if (!here.isEmpty()) {
                run(target, database, runOn, here).forEach(r -> results.put(r.budget().name(), r));
            }
        }
        List<QueryBudgetStatus> next = new ArrayList<>();
        for (Declared d : declared) {
            Result r = results.get(d.name());
            next.add(r == null ? before.get(d.name()) : record(db, d, r, before.get(d.name()), migrations, now));
        }
        status.setQueryBudgets(next);
    }

    static boolean due(QueryBudgetStatus last, Declared d, String migrations, Duration interval, Instant now) {
        if (last == null || !d.specHash().equals(last.getSpecHash()) || !Objects.equals(migrations, last.getAfterMigrations())) {
            return true;
        }
        if (last.getVerdict() == QueryBudgetStatus.Verdict.Failed) {
            return true; // could not run (no replica yet, a table still missing): tried again at every re-check
        }
        try {
            return last.getCheckedAt() == null || !Instant.parse(last.getCheckedAt()).plus(interval).isAfter(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    private List<Result> run(ClusterAccess.Target target, String database, QueryBudgetSpec.RunOn runOn, List<Declared> budgets) {
        PgEndpoint where;
        if (runOn == QueryBudgetSpec.RunOn.Primary) {
            where = target.admin().withDatabase(database);
        } else if (target.cluster().getSpec().isExternal()) {
            return failed(budgets, "runOn: Replica needs a managed cluster: the operator knows no replica of an external server (use runOn: Primary)");
        } else {
            try {
                where = connections.replica(target.cluster()).withDatabase(database);
            } catch (ClusterConnections.NotReachableException e) {
                return failed(budgets, "no replica is ready to run on (" + e.getMessage() + "): checked again at each re-check;"
                        + " a cluster of one instance needs runOn: Primary");
            }
        }
        try (Connection admin = target.open(database)) {
            return QueryBudgetSpecs.check(admin, where, budgets);
        } catch (SQLException e) {
            return failed(budgets, "the primary could not be reached to make the check's login: " + Messages.firstLine(e));
        }
    }

    private static List<Result> failed(List<Declared> budgets, String message) {
        return budgets.stream().map(d -> Result.failed(d.budget(), message)).toList();
    }

    /** The new status of one budget after a check, and the Events its change deserves. */
    private QueryBudgetStatus record(PostgresDatabase db, Declared d, Result r, QueryBudgetStatus last, String migrations, Instant now) {
        QueryBudgetStatus s = new QueryBudgetStatus();
        s.setName(d.name());
        s.setVerdict(switch (r.verdict()) {
            case WITHIN -> QueryBudgetStatus.Verdict.Within;
            case EXCEEDED -> QueryBudgetStatus.Verdict.Exceeded;
            case FAILED -> QueryBudgetStatus.Verdict.Failed;
        });
        s.setDurationMillis(r.durationMillis());
        s.setBudgetMillis(d.budget().budget().toMillis());
        s.setCheckedAt(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        s.setRanOn(d.runOn().name());
        s.setAfterMigrations(migrations);
        s.setSpecHash(d.specHash());
        s.setMessage(Messages.bounded(r.message(), 1024));
        int changes = last == null || last.getPlanChanges() == null ? 0 : last.getPlanChanges();
        if (r.plan() != null) {
            s.setPlanHash(r.plan().hash());
            s.setPlanShape(Messages.bounded(r.plan().shape(), 2048));
            s.setWorstEstimate(Messages.bounded(r.plan().worstEstimate(), 256));
            String lastHash = last == null ? null : last.getPlanHash();
            boolean sameDeclaration = last != null && d.specHash().equals(last.getSpecHash());
            if (lastHash != null && sameDeclaration && !lastHash.equals(r.plan().hash())) {
                changes++;
                events.warning(db, PLAN_CHANGED, d.name() + ": the plan changed from " + lastHash + " to " + r.plan().hash() + " ("
                        + r.plan().shape() + "; worst estimate " + r.plan().worstEstimate() + "), " + r.message());
            }
        } else if (last != null) {
            // cancelled or failed: no new plan, the last one known stays for comparison
            s.setPlanHash(last.getPlanHash());
            s.setPlanShape(last.getPlanShape());
            s.setWorstEstimate(last.getWorstEstimate());
        }
        s.setPlanChanges(changes);
        QueryBudgetStatus.Verdict lastVerdict = last == null ? null : last.getVerdict();
        switch (s.getVerdict()) {
            case Exceeded -> events.warning(db, EXCEEDED, d.name() + " exceeded its budget on the " + d.runOn().name().toLowerCase(java.util.Locale.ROOT)
                    + ": " + r.message() + (s.getPlanShape() == null ? "" : "; plan " + s.getPlanHash() + ": " + s.getPlanShape()));
            case Failed -> {
                int failed = lastVerdict == QueryBudgetStatus.Verdict.Failed && last.getFailedChecks() != null ? last.getFailedChecks() + 1 : 1;
                s.setFailedChecks(failed);
                if (failed == 2) {
                    // not at the first: right after an apply the grants or the migration's tables may be a re-check away
                    events.warning(db, CHECK_FAILED, d.name() + ": " + r.message());
                }
            }
            case Within -> {
                if (lastVerdict == QueryBudgetStatus.Verdict.Exceeded) {
                    events.normal(db, MET_AGAIN, d.name() + " is within its budget again: " + r.message());
                }
            }
        }
        return s;
    }
}
