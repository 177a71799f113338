package io.shopdb.operator.metrics;

import io.shopdb.operator.runtime.Leadership;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.sql.HealthQueries;
import io.shopdb.operator.sql.HealthSnapshot;
import io.shopdb.operator.sql.PgEndpoint;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one background task behind the metrics: every shopdb.metrics.interval it recounts resources, re-reads backup and
 * migration statuses (both from the informer caches), takes
 * one catalog snapshot per PostgresCluster and reads the console of every Ready pooler's PgBouncer pods. Separate from reconciles on purpose: a scrape never touches a
 * database (a Prometheus scrape every 15 s per replica would multiply the load), and a slow or down server
 * delays only this thread, never a reconcile. One thread, clusters in turn, every query time-limited.
 */
@ApplicationScoped
public class MetricsTask {
    private static final Logger LOG = Logger.getLogger(MetricsTask.class);

    @ConfigMapping(prefix = "shopdb.metrics")
    public interface Config {
        /** How often the health snapshot of each cluster is taken. */
        @WithDefault("30s")
        Duration interval();
    }

    @Inject Config config;
    @Inject PrimaryCaches caches;
    @Inject ResourceMetrics resources;
    @Inject BackupMigrationMetrics backupsAndMigrations;
    @Inject DatabaseHealthMetrics health;
    @Inject ClusterConnections connections;
    @Inject Leadership leadership;
    @Inject PoolerMetrics poolers;
    @Inject ClusterPresence presence;

    private ScheduledExecutorService executor;
    private final AtomicLong ticks = new AtomicLong();
    private final GoneClusters goneClusters = new GoneClusters();

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shopdb-metrics");
            t.setDaemon(true);
            return t;
        });
        long millis = config.interval().toMillis();
        executor.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** Number of finished ticks (tests wait for one after a change). */
    public long ticks() {
        return ticks.get();
    }

    void tick() {
        try {
            resources.refresh();
            backupsAndMigrations.refresh();
            retireGonePools();
            List<PostgresCluster> all = caches.of(PostgresCluster.class);
            // Only the leader takes snapshots: a standby replica would double the queries and the series.
            List<PostgresCluster> clusters = leadership.isLeader() ? all : List.of();
            Set<String> observed = new HashSet<>();
            for (PostgresCluster c : clusters) {
                // A cluster that never answered is still being created: no series yet, rather than a false "down".
                if (c.getStatus() == null || c.getStatus().getServerVersion() == null) {
                    continue;
                }
                // A hibernated cluster runs nothing: no series, rather than a "down" that pages someone.
                if (c.getSpec() != null && c.getSpec().isHibernating()) {
                    continue;
                }
                observed.add(key(c.getMetadata().getNamespace(), c.getMetadata().getName()));
                snapshot(c);
            }
            health.forget(k -> !observed.contains(key(k[0], k[1])));
            poolers.refresh(leadership.isLeader() ? caches.of(io.shopdb.operator.api.v1alpha1.PostgresPooler.class).stream()
                    .filter(p -> io.shopdb.operator.status.Conditions.isReady(p.getStatus())).toList() : List.of());
        } catch (RuntimeException e) {
            LOG.warnf("metrics snapshot failed: %s", e.toString());
        } finally {
            ticks.incrementAndGet();
        }
    }

    /**
     * The pools of deleted clusters close here (this task already walks the clusters every interval), but only those
     * {@link GoneClusters} is sure of: an empty or failed cache read must never end the sessions of in-flight DDL or
     * migrations. Its own try: a failure here retires nothing and costs no metrics.
     */
    void retireGonePools() {
        try {
            Set<String> gone = goneClusters.pass(presence.read());
            if (!gone.isEmpty()) {
                LOG.infof("closing the connection pools of deleted clusters %s", gone);
                connections.retire(gone);
            }
        } catch (RuntimeException e) {
            LOG.warnf("retiring the pools of deleted clusters failed: %s", e.toString());
        }
    }

    private void snapshot(PostgresCluster c) {
        String ns = c.getMetadata().getNamespace();
        String name = c.getMetadata().getName();
        MDC.put("resource", ns + "/" + name);
        try {
            PgEndpoint admin = connections.admin(c);
            try (Connection conn = connections.open(c, admin)) {
                HealthSnapshot s = HealthQueries.read(conn, db -> connections.open(c, admin.withDatabase(db)));
                health.published(ns, name, s);
            }
        } catch (Exception e) {
            LOG.debugf("health snapshot of %s/%s failed: %s", ns, name, e.getMessage());
            health.failed(ns, name);
        } finally {
            MDC.remove("resource");
        }
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
