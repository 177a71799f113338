package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.sql.HealthSnapshot;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

import static io.shopdb.operator.metrics.MeterSet.Series.counter;
import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * Turns a {@link HealthSnapshot} into the shopdb_pg_* series of one cluster (labels namespace, cluster, plus
 * database / state / replica / slot / table where the value is per item). The list is docs/metrics.md.
 */
@ApplicationScoped
public class DatabaseHealthMetrics {
    static final String UP = "shopdb_pg_up";
    static final String LAST_SNAPSHOT = "shopdb_pg_last_snapshot_timestamp_seconds";

    @Inject MeterRegistry registry;
    MeterSet meters;

    @PostConstruct
    void init() {
        meters = new MeterSet(registry);
    }

    /** The snapshot worked: the complete set of series for the cluster. */
    void published(String namespace, String cluster, HealthSnapshot s) {
        Tags base = Tags.of("namespace", namespace, "cluster", cluster);
        Map<MeterSet.Series, Double> next = new HashMap<>();
        next.put(gauge(UP, base), 1.0);
        next.put(gauge(LAST_SNAPSHOT, base), System.currentTimeMillis() / 1000.0);
        next.put(gauge("shopdb_pg_server_version_info", base.and("server_version", s.serverVersion())), 1.0);
        next.put(gauge("shopdb_pg_max_connections", base), (double) s.maxConnections());
        next.put(gauge("shopdb_pg_oldest_transaction_age_seconds", base), s.oldestTransactionAgeSeconds());
        s.connectionsByState().forEach((state, n) -> next.put(gauge("shopdb_pg_connections", base.and("state", state)), n.doubleValue()));
        for (HealthSnapshot.Database db : s.databases()) {
            Tags t = base.and("database", db.name());
            next.put(counter("shopdb_pg_xact_commit", t), (double) db.xactCommit());
            next.put(counter("shopdb_pg_xact_rollback", t), (double) db.xactRollback());
            next.put(counter("shopdb_pg_deadlocks", t), (double) db.deadlocks());
            next.put(gauge("shopdb_pg_cache_hit_ratio", t), db.cacheHitRatio());
            next.put(gauge("shopdb_pg_database_size_bytes", t), (double) db.sizeBytes());
            next.put(gauge("shopdb_pg_xid_age", t), (double) db.xidAge());
        }
        for (HealthSnapshot.DeadTuples d : s.worstTables()) {
            next.put(gauge("shopdb_pg_dead_tuples", base.and("database", d.database(), "table", d.table())), (double) d.deadTuples());
        }
        for (HealthSnapshot.Replica r : s.replicas()) {
            Tags t = base.and("replica", r.name());
            next.put(gauge("shopdb_pg_replication_lag_bytes", t), (double) r.lagBytes());
            next.put(gauge("shopdb_pg_replication_lag_seconds", t), r.lagSeconds());
        }
        for (HealthSnapshot.Slot slot : s.slots()) {
            next.put(gauge("shopdb_pg_replication_slot_retained_wal_bytes", base.and("slot", slot.name())), (double) slot.retainedWalBytes());
        }
        meters.publish(ofCluster(namespace, cluster), next);
    }

    /** The snapshot failed: up goes to 0, the rest keeps its last values (a gap would hide the trend). */
    void failed(String namespace, String cluster) {
        meters.set(gauge(UP, Tags.of("namespace", namespace, "cluster", cluster)), 0.0);
    }

    /** The cluster is gone (or not reachable yet for the first time): no series at all. */
    void forget(Predicate<String[]> gone) {
        meters.remove(s -> gone.test(new String[]{tag(s, "namespace"), tag(s, "cluster")}));
    }

    Map<MeterSet.Series, Double> current() {
        return meters.snapshot();
    }

    private static Predicate<MeterSet.Series> ofCluster(String namespace, String cluster) {
        return s -> namespace.equals(tag(s, "namespace")) && cluster.equals(tag(s, "cluster"));
    }

    private static String tag(MeterSet.Series s, String key) {
        var t = s.tags().stream().filter(x -> x.getKey().equals(key)).findFirst();
        return t.map(io.micrometer.core.instrument.Tag::getValue).orElse(null);
    }
}
