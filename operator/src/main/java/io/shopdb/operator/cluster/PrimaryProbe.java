package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterConnections;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.quarkus.runtime.ShutdownEvent;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.runtime.OperatorKilled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own look at each primary, not waiting for Kubernetes: a pod's readiness probe runs every few
 * seconds and fails only after several misses (10-15 s on a real cluster), and a hung primary (alive, holding its
 * connections, answering nothing) can stay Ready that long. Every {@link #PERIOD} the operator logs in to the primary
 * through its pod address, with every timeout at {@link InstanceConnections#ANSWER_SECONDS}; after
 * {@link #LOST_AFTER} misses in a row (about 2.5 s) the primary counts as lost and its cluster is reconciled at once
 * (an event, not a timer), where HighAvailability fails it over as if its pod were not ready.
 *
 * <p>Only clusters with replicas are watched (there is nothing to fail over to otherwise), and only by the
 * instance that reconciles them (the leader).
 */
@ApplicationScoped
public class PrimaryProbe {
    private static final Logger LOG = Logger.getLogger(PrimaryProbe.class);
    static final Duration PERIOD = Duration.ofMillis(500);
    static final int LOST_AFTER = 2;

    @Inject InstanceConnections instances;

    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    /** Per namespace/cluster/pod: the latest instant a lease renewal sent to it can have reached it (kept after a watch ends). */
    private final Map<String, java.time.Instant> renewedBy = new ConcurrentHashMap<>();
    /** Per namespace/cluster/pod: the primary's WAL position (pg_current_wal_lsn, bytes) at its last answer. */
    private final Map<String, Long> walLsns = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "shopdb-primary-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile SimpleInboundEventSource<PostgresCluster> wakeups;

    /** One watched primary: its consecutive misses, and the task that probes it. */
    private static final class Watch {
        volatile PostgresCluster cluster;
        final String primary;
        volatile int misses;
        ScheduledFuture<?> task;

        Watch(PostgresCluster cluster, String primary) {
            this.cluster = cluster;
            this.primary = primary;
        }
    }

    /** The event source of the running operator instance: a lost primary wakes its cluster through it. */
    public SimpleInboundEventSource<PostgresCluster> eventSource() {
        wakeups = new SimpleInboundEventSource<>();
        return wakeups;
    }

    /** Watches {@code primary} of {@code c} from now on (null: none, e.g. a change under way or no replicas). */
    public void watch(PostgresCluster c, String primary) {
        String key = ClusterConnections.key(c);
        if (primary == null || c.getSpec().isExternal() || c.getSpec().getInstances() == null || c.getSpec().getInstances() < 2) {
            stop(key);
            return;
        }
        Watch current = watches.get(key);
        if (current != null && current.primary.equals(primary)) {
            current.cluster = c; // the newest spec (Secrets are looked up by name, so this is only for freshness)
            return;
        }
        stop(key);
        Watch w = new Watch(c, primary);
        watches.put(key, w);
        w.task = executor.scheduleWithFixedDelay(() -> probe(key, w), PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True when {@code primary} of {@code c} missed {@link #LOST_AFTER} probes in a row (and still does). */
    public boolean lost(PostgresCluster c, String primary) {
        Watch w = watches.get(ClusterConnections.key(c));
        return w != null && w.primary.equals(primary) && w.misses >= LOST_AFTER;
    }

    /**
     * The latest instant a lease renewal this operator sent to {@code primary} can have reached it; null when this
     * instance sent none (it started after, or the primary was never watched).
     */
    public java.time.Instant leaseRenewedBy(PostgresCluster c, String primary) {
        return renewedBy.get(ClusterConnections.key(c) + "/" + primary);
    }

    /** The WAL position of {@code primary} when it last answered this operator's probe (bytes); null when unknown. */
    public Long lastWalLsn(PostgresCluster c, String primary) {
        return walLsns.get(ClusterConnections.key(c) + "/" + primary);
    }

    /** Stops watching a cluster (deleted, or its primary changing). */
    public void forget(PostgresCluster c) {
        stop(ClusterConnections.key(c));
        renewedBy.keySet().removeIf(k -> k.startsWith(ClusterConnections.key(c) + "/"));
        walLsns.keySet().removeIf(k -> k.startsWith(ClusterConnections.key(c) + "/"));
    }

    private void probe(String key, Watch w) {
        var probe = instances.probe(w.cluster, w.primary);
        boolean answers = probe.answered();
        if (probe.leaseRenewedBy() != null) {
            renewedBy.put(key + "/" + w.primary, probe.leaseRenewedBy());
        }
        if (probe.walLsn() != null) {
            walLsns.put(key + "/" + w.primary, probe.walLsn());
        }
        int before = w.misses;
        w.misses = answers ? 0 : before + 1;
        if ((w.misses >= LOST_AFTER) != (before >= LOST_AFTER)) {
            LOG.infof("%s: the primary %s %s", key, w.primary, answers ? "answers again" : "does not answer " + w.misses + " probes in a row");
            SimpleInboundEventSource<PostgresCluster> source = wakeups;
            if (source != null) {
                source.propagateEvent(ResourceID.fromResource(w.cluster));
            }
        }
    }

    private void stop(String key) {
        Watch old = watches.remove(key);
        if (old != null && old.task != null) {
            old.task.cancel(false);
        }
    }

    /** A killed operator stops probing; the next instance watches anew. */
    void onKilled(@Observes OperatorKilled killed) {
        watches.keySet().forEach(this::stop);
        renewedBy.clear();
        walLsns.clear();
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }
}
