package io.shopdb.operator.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PartitionStatus;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.ops.MeterSet.Series.gauge;

/**
 * shopdb_partitions_* from status.partitions of the PostgresDatabases in the informer caches, like the backup
 * and migration gauges: the database reconciler counts on every re-check, a scrape costs no SQL, and the values
 * are what kubectl shows. One series per declared table that exists; a table removed from spec.partitions, or
 * a deleted resource, stops being exported.
 */
@ApplicationScoped
public class PartitionMetrics {
    static final String AHEAD = "shopdb_partitions_ahead";
    static final String BEHIND = "shopdb_partitions_behind";
    static final String DEFAULT_ROWS = "shopdb_partition_default_rows";
    static final Set<String> NAMES = Set.of(AHEAD, BEHIND, DEFAULT_ROWS);

    @Inject MeterRegistry registry;
    @Inject PrimaryCaches caches;
    MeterSet meters;

    @PostConstruct
    void init() {
        meters = new MeterSet(registry);
    }

    /** Recomputes every series from the caches; called by the metrics task. */
    void refresh() {
        Map<MeterSet.Series, Double> next = new HashMap<>();
        series(caches.of(PostgresDatabase.class), next);
        meters.publish(s -> NAMES.contains(s.name()), next);
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
                Tags tags = Tags.of("namespace", db.getMetadata().getNamespace(), "cluster", db.getSpec().getClusterRef().getName(),
                        "database", status.getDatabaseName() == null ? db.getMetadata().getName() : status.getDatabaseName(),
                        "table", p.getTable());
                out.put(gauge(AHEAD, tags), p.getAhead().doubleValue());
                out.put(gauge(BEHIND, tags), p.getBehind() == null ? 0.0 : p.getBehind().doubleValue());
                out.put(gauge(DEFAULT_ROWS, tags), p.getDefaultRows() == null ? 0.0 : p.getDefaultRows().doubleValue());
            }
        }
    }
}
