package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.QueryBudgetStatus;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * shopdb_query_budget_* from status.queryBudgets of the PostgresDatabases in the informer caches, published with the
 * backup and migration gauges by {@link BackupMigrationMetrics#refresh}: the database reconciler runs the checks, a
 * scrape costs no SQL. One series per declared budget that has been checked; a removed budget stops being exported.
 */
final class QueryBudgetMetrics {
    static final String DURATION = "shopdb_query_budget_duration_seconds";
    static final String BUDGET = "shopdb_query_budget_seconds";
    static final String EXCEEDED = "shopdb_query_budget_exceeded";
    static final String FAILED = "shopdb_query_budget_check_failed";
    static final String PLAN_CHANGES = "shopdb_query_plan_changes";
    static final String LAST_CHECK = "shopdb_query_budget_last_check_timestamp_seconds";
    static final Set<String> NAMES = Set.of(DURATION, BUDGET, EXCEEDED, FAILED, PLAN_CHANGES, LAST_CHECK);

    private QueryBudgetMetrics() {}

    static void series(List<PostgresDatabase> databases, Map<MeterSet.Series, Double> out) {
        for (PostgresDatabase db : databases) {
            var status = db.getStatus();
            if (status == null || status.getQueryBudgets() == null || db.getSpec() == null || db.getSpec().getClusterRef() == null) {
                continue;
            }
            for (QueryBudgetStatus q : status.getQueryBudgets()) {
                if (q == null || q.getVerdict() == null) {
                    continue;
                }
                Tags tags = PartitionMetrics.databaseTags(db).and("query", q.getName());
                if (q.getDurationMillis() != null) {
                    out.put(gauge(DURATION, tags), q.getDurationMillis() / 1000.0);
                }
                if (q.getBudgetMillis() != null) {
                    out.put(gauge(BUDGET, tags), q.getBudgetMillis() / 1000.0);
                }
                out.put(gauge(EXCEEDED, tags), q.getVerdict() == QueryBudgetStatus.Verdict.Exceeded ? 1.0 : 0.0);
                out.put(gauge(FAILED, tags), q.getVerdict() == QueryBudgetStatus.Verdict.Failed ? 1.0 : 0.0);
                out.put(gauge(PLAN_CHANGES, tags), q.getPlanChanges() == null ? 0.0 : q.getPlanChanges().doubleValue());
                if (q.getCheckedAt() != null) {
                    try {
                        out.put(gauge(LAST_CHECK, tags), (double) java.time.Instant.parse(q.getCheckedAt()).getEpochSecond());
                    } catch (java.time.format.DateTimeParseException e) {
                        // written by the operator as RFC 3339; a hand-edited status just has no timestamp series
                    }
                }
            }
        }
    }
}
