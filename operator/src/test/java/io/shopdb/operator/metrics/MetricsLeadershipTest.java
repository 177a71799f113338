package io.shopdb.operator.metrics;

import io.shopdb.operator.runtime.LeaderElection;
import io.shopdb.operator.runtime.Leadership;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.PgEndpoint;
import jakarta.enterprise.inject.Vetoed;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With two operator replicas only the leader takes the per-cluster health snapshot (no doubled load or series). */
class MetricsLeadershipTest {
    /** One cluster that has answered before, so the task snapshots it. Vetoed: not a bean of the Quarkus tests. */
    @Vetoed
    static final class OneCluster extends PrimaryCaches {
        @Override
        @SuppressWarnings("unchecked")
        public <R extends HasMetadata> List<R> of(Class<R> type) {
            if (type != PostgresCluster.class) {
                return List.of();
            }
            PostgresCluster c = new PostgresCluster();
            c.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("pg").build());
            c.setStatus(new PostgresClusterStatus());
            c.getStatus().setServerVersion("15.18");
            return (List<R>) List.of(c);
        }
    }

    /** Counts the snapshot attempts; the server is never reachable, so a snapshot publishes up=0. Vetoed likewise. */
    @Vetoed
    static final class CountingConnections extends ClusterConnections {
        int asked;

        @Override
        public void retire(java.util.Set<String> gone) {
            // no pools in this test
        }

        @Override
        public PgEndpoint admin(PostgresCluster c, SecretLookup secrets) throws NotReachableException {
            asked++;
            throw new NotReachableException("no server in this test");
        }
    }

    final Leadership leadership = new Leadership();
    final CountingConnections connections = new CountingConnections();
    final DatabaseHealthMetrics health = new DatabaseHealthMetrics();
    final MetricsTask task = new MetricsTask();

    MetricsLeadershipTest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrimaryCaches caches = new OneCluster();
        task.caches = caches;
        task.resources = new ResourceMetrics() {
            @Override
            void refresh() { }
        };
        task.backupsAndMigrations = new BackupMigrationMetrics() {
            @Override
            void refresh() { }
        };
        health.registry = registry;
        health.init();
        task.health = health;
        task.connections = connections;
        task.leadership = leadership;
    }

    @Test
    void withoutLeaderElectionTheOnlyReplicaTakesTheSnapshot() {
        task.tick();
        assertEquals(1, connections.asked);
        assertFalse(health.current().isEmpty(), "shopdb_pg_up published");
    }

    @Test
    void aReplicaThatIsNotTheLeaderTakesNoSnapshotAndPublishesNoSeries() {
        new LeaderElection().leaderElection(io.shopdb.operator.runtime.LeaderElectionTest.config(true, "shopdb-system"), leadership);
        task.tick();
        assertEquals(0, connections.asked);
        assertTrue(health.current().isEmpty());

        leadership.startedLeading();
        task.tick();
        assertEquals(1, connections.asked);
        assertFalse(health.current().isEmpty());

        leadership.stoppedLeading();
        task.tick();
        assertEquals(1, connections.asked, "no snapshot after losing the lease");
        assertTrue(health.current().isEmpty(), "a former leader drops its series");
    }

    @Test
    void theElectionCallbacksReachTheLeadership() {
        var config = new LeaderElection().leaderElection(io.shopdb.operator.runtime.LeaderElectionTest.config(true, "shopdb-system"), leadership);
        assertFalse(leadership.isLeader());
        Optional<io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks> callbacks = config.getLeaderCallbacks();
        callbacks.orElseThrow().onStartLeading();
        assertTrue(leadership.isLeader());
        callbacks.orElseThrow().onStopLeading();
        assertFalse(leadership.isLeader());
    }
}
