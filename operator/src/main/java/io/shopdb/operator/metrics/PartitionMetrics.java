package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PartitionStatus;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * shopdb_partitions_* from status.partitions of the PostgresDatabases in the informer caches, published with the
 * backup and migration gauges by {@link BackupMigrationMetrics#refresh}: the database reconciler counts on every
 * re-check, a scrape costs no SQL, and the values are what kubectl shows. One series per declared table that
 * exists; a table removed from spec.partitions, or a deleted resource, stops being exported.
 */
final class PartitionMetrics {
    static final String AHEAD = "shopdb_partitions_ahead";
    static final String BEHIND = "shopdb_partitions_behind";
    static final String DEFAULT_ROWS = "shopdb_partition_default_rows";
    static final Set<String> NAMES = Set.of(AHEAD, BEHIND, DEFAULT_ROWS);

    private PartitionMetrics() {}

    /** namespace, cluster (spec.clusterRef) and database (the PostgreSQL name): what every per-database series carries. */
    static Tags databaseTags(PostgresDatabase db) {
        String name = db.getStatus() == null || db.getStatus().getDatabaseName() == null ? db.getMetadata().getName() : db.getStatus().getDatabaseName();
        return Tags.of("namespace", db.getMetadata().getNamespace(), "cluster", db.getSpec().getClusterRef().getName(), "database", name);
    }

    static void series(List<PostgresDatabase> databases, Map<MeterSet.Series, Double> out) {
        for (PostgresDatabase db : databases) {
            var status = db.getStatus();
            if (status == null || status.getPartitions() == null || db.getSpec() == null || db.getSpec().getClusterRef() == null) {
                continue;
            }
            for (PartitionStatus p : status.getPartitions()) {
                if (!Boolean.TRUE.equals(p.getExists()) || p.getAhead() == null) {
                    continue; // not there yet, or not a table we can count: the Stalled condition says why
                }
                Tags tags = databaseTags(db).and("table", p.getTable());
                out.put(gauge(AHEAD, tags), p.getAhead().doubleValue());
                out.put(gauge(BEHIND, tags), p.getBehind() == null ? 0.0 : p.getBehind().doubleValue());
                out.put(gauge(DEFAULT_ROWS, tags), p.getDefaultRows() == null ? 0.0 : p.getDefaultRows().doubleValue());
            }
        }
    }
}
