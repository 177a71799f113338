package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.WalArchiveStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.counter;
import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * WAL archiving (shopdb_wal_archive_*), from status.walArchive of each cluster with spec.walArchive, which the cluster
 * reconciler reads from the primary's pg_stat_archiver: a scrape costs no SQL. The counters restart with the primary
 * (PostgreSQL's own counters do), which Prometheus' rate() and increase() handle.
 */
final class WalArchiveMetrics {
    static final String LAST_SUCCESS = "shopdb_wal_archive_last_success_timestamp_seconds";
    static final String ARCHIVED = "shopdb_wal_archive_archived";
    static final String FAILED = "shopdb_wal_archive_failed";
    static final String PENDING = "shopdb_wal_archive_pending_files";
    static final String RECOVERABLE_FROM = "shopdb_wal_archive_recoverable_from_timestamp_seconds";
    static final Set<String> NAMES = Set.of(LAST_SUCCESS, ARCHIVED, FAILED, PENDING, RECOVERABLE_FROM);

    private WalArchiveMetrics() {}

    static void series(List<PostgresCluster> clusters, Map<MeterSet.Series, Double> out) {
        for (PostgresCluster c : clusters) {
            if (c.getSpec() == null || c.getSpec().getWalArchive() == null || c.getStatus() == null || c.getStatus().getWalArchive() == null) {
                continue;
            }
            WalArchiveStatus w = c.getStatus().getWalArchive();
            Tags tags = Tags.of("namespace", c.getMetadata().getNamespace(), "cluster", c.getMetadata().getName());
            if (w.getLastArchivedTime() != null) {
                out.put(gauge(LAST_SUCCESS, tags), Instant.parse(w.getLastArchivedTime()).toEpochMilli() / 1000.0);
            }
            out.put(counter(ARCHIVED, tags), w.getArchivedCount() == null ? 0.0 : w.getArchivedCount().doubleValue());
            out.put(counter(FAILED, tags), w.getFailedCount() == null ? 0.0 : w.getFailedCount().doubleValue());
            out.put(gauge(PENDING, tags), w.getPendingFiles() == null ? 0.0 : w.getPendingFiles().doubleValue());
            if (w.getRecoverableFrom() != null) {
                out.put(gauge(RECOVERABLE_FROM, tags), Instant.parse(w.getRecoverableFrom()).toEpochMilli() / 1000.0);
            }
        }
    }
}
