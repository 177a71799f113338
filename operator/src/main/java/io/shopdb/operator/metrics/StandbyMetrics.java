package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.StandbyStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * Standby clusters (shopdb_standby_*), from status.standby, which the cluster reconciler reads from the standby's
 * primary and its source every StandbyReplication.LOOK_AGAIN: a scrape costs no SQL. Lag series exist only while the
 * cluster replays; a promoted one keeps shopdb_standby_promoted_timestamp_seconds (an alert says it happened).
 */
final class StandbyMetrics {
    static final String LAG_BYTES = "shopdb_standby_lag_bytes";
    static final String REPLAY_DELAY = "shopdb_standby_replay_delay_seconds";
    static final String STREAMING = "shopdb_standby_streaming";
    static final String LAST_REPLAYED = "shopdb_standby_last_replayed_timestamp_seconds";
    static final String PROMOTED = "shopdb_standby_promoted_timestamp_seconds";
    static final Set<String> NAMES = Set.of(LAG_BYTES, REPLAY_DELAY, STREAMING, LAST_REPLAYED, PROMOTED);

    private StandbyMetrics() {}

    static void series(List<PostgresCluster> clusters, Map<MeterSet.Series, Double> out) {
        for (PostgresCluster c : clusters) {
            StandbyStatus s = c.getStatus() == null ? null : c.getStatus().getStandby();
            if (c.getSpec() == null || c.getSpec().getStandby() == null || s == null) {
                continue;
            }
            Tags tags = Tags.of("namespace", c.getMetadata().getNamespace(), "cluster", c.getMetadata().getName(), "source", s.getSource());
            if (s.getPromotedAt() != null) {
                out.put(gauge(PROMOTED, tags), Instant.parse(s.getPromotedAt()).toEpochMilli() / 1000.0);
                continue;
            }
            out.put(gauge(STREAMING, tags), Boolean.TRUE.equals(s.getStreaming()) ? 1.0 : 0.0);
            if (s.getLagBytes() != null) {
                out.put(gauge(LAG_BYTES, tags), s.getLagBytes().doubleValue());
            }
            if (s.getReplayDelaySeconds() != null) {
                out.put(gauge(REPLAY_DELAY, tags), s.getReplayDelaySeconds().doubleValue());
            }
            if (s.getLastReplayedTime() != null) {
                out.put(gauge(LAST_REPLAYED, tags), Instant.parse(s.getLastReplayedTime()).toEpochMilli() / 1000.0);
            }
        }
    }
}
