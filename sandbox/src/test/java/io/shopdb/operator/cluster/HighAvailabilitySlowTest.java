package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.SynchronousSpec;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.SideWriter;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover, switchover, replicas-first restarts and a refused failover, on 3-instance clusters in the
 * sandbox (real PostgreSQL processes; a lost node is {@link LocalKubelet#loseNode}). Slow (minutes): run
 * with {@code mvn test -Pslow}.
 */
@QuarkusTest
class HighAvailabilitySlowTest extends OperatorTestBase {
    @Inject LocalKubelet kubelet;
    @Inject MeterRegistry registry;

    @Test
    void aLostPrimaryIsReplacedAndComesBackAsAStreamingReplicaOnTheNewTimeline() throws Exception {
        create(ClusterOperatorTest.managed("ha", 3, Map.of()));
        awaitReady(PostgresCluster.class, "ha");
        execute("ha-rw", "ha", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
        awaitReplayed("ha", List.of("ha-1", "ha-2"), 100);

        kubelet.loseNode(ns(), "ha-0");
        PostgresCluster failedOver = await(PostgresCluster.class, "ha",
                c -> c.getStatus() != null && !"ha-0".equals(c.getStatus().getCurrentPrimary()) && c.getStatus().getFailovers() != null);
        String promoted = failedOver.getStatus().getCurrentPrimary();
        assertEquals(1, failedOver.getStatus().getFailovers());
        assertEquals(promoted, failedOver.getStatus().getTargetPrimary());
        assertEquals(ClusterNames.ROLE_PRIMARY, pod(promoted).getMetadata().getLabels().get(ClusterNames.ROLE_LABEL));
        // fenced: its pod deleted (on a real cluster it stays Terminating until its node answers; the sandbox's
        // StatefulSet controller makes a new one, which does not run while the node is lost) and never -rw's
        Pod former = pod("ha-0");
        assertTrue(former == null || !ClusterNames.ROLE_PRIMARY.equals(former.getMetadata().getLabels().get(ClusterNames.ROLE_LABEL)),
                "the lost primary is fenced from -rw");
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions()
                .until(() -> { execute("ha-rw", "ha", "INSERT INTO orders SELECT generate_series(101, 200)"); return true; });
        assertEquals(1.0, registry.counter("shopdb_pg_failovers", "namespace", ns(), "cluster", "ha").count());

        kubelet.restoreNode(ns(), "ha-0");
        PostgresCluster healed = withLogsOnFailure(() -> awaitReady(PostgresCluster.class, "ha"), "ha-0", "ha-1");
        assertEquals(promoted, healed.getStatus().getCurrentPrimary(), "the former primary does not take over again");
        assertEquals(2, healed.getStatus().getReplicas().stream().filter(r -> r.getState().equals("streaming")).count());
        assertTrue(healed.getStatus().getReplicas().stream().anyMatch(r -> r.getName().equals("ha-0")), "ha-0 streams from " + promoted);
        String timeline = queryOn("ha", promoted, "SELECT timeline_id FROM pg_control_checkpoint()");
        assertTrue(Integer.parseInt(timeline) > 1, "promotion starts a new timeline, got " + timeline);
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions()
                .until(() -> timeline.equals(queryOn("ha", "ha-0", "SELECT received_tli FROM pg_stat_wal_receiver")));
        assertEquals("t", queryOn("ha", "ha-0", "SELECT pg_is_in_recovery()"));
        awaitReplayed("ha", List.of("ha-0", "ha-1", "ha-2"), 200);
    }

    @Test
    void aSwitchoverToANamedInstanceLosesNoCommittedTransaction() throws Exception {
        create(ClusterOperatorTest.managed("sw", 3, Map.of()));
        awaitReady(PostgresCluster.class, "sw");
        execute("sw-rw", "sw", "CREATE TABLE orders (id int PRIMARY KEY)");
        Writer writer = new Writer("sw");
        writer.start();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> writer.acknowledged.size() > 20);

        client.resources(PostgresCluster.class).inNamespace(ns()).withName("sw").edit(c -> { c.getSpec().setPrimary("sw-2"); return c; });
        await(PostgresCluster.class, "sw", c -> c.getStatus() != null && "sw-2".equals(c.getStatus().getCurrentPrimary()));
        int atSwitch = writer.acknowledged.size();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> writer.acknowledged.size() > atSwitch + 20);
        writer.stop();
        PostgresCluster ready = awaitReady(PostgresCluster.class, "sw");
        assertEquals(null, ready.getStatus().getFailovers(), "a switchover is not a failover");
        List<Integer> missing = new ArrayList<>();
        try (Connection c = PgConnections.open(superuser("sw-rw", "sw")); Statement st = c.createStatement()) {
            java.util.Set<Integer> stored = new java.util.HashSet<>();
            try (ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
                while (rs.next()) {
                    stored.add(rs.getInt(1));
                }
            }
            for (int id : writer.acknowledged) {
                if (!stored.contains(id)) {
                    missing.add(id);
                }
            }
        }
        assertEquals(List.of(), missing, "every acknowledged commit survives the switchover");
        assertEquals("t", queryOn("sw", "sw-0", "SELECT pg_is_in_recovery()"), "the former primary follows as a replica");
    }

    @Test
    void aParameterNeedingARestartRestartsTheReplicasFirstThenSwitchesOver() throws Exception {
        create(ClusterOperatorTest.managed("roll", 3, Map.of()));
        awaitReady(PostgresCluster.class, "roll");
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("roll")
                .edit(c -> { c.getSpec().getParameters().put("max_connections", "250"); return c; });
        Awaitility.await().atMost(READY_TIMEOUT.multipliedBy(2)).ignoreExceptions().until(() ->
                List.of("roll-0", "roll-1", "roll-2").stream().allMatch(p -> {
                    try {
                        return "250".equals(queryOn("roll", p, "SHOW max_connections"));
                    } catch (SQLException e) {
                        return false;
                    }
                }));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "roll");
        assertNotEquals("roll-0", ready.getStatus().getCurrentPrimary(), "the primary moved before its own restart");
        Map<String, String> started = new HashMap<>();
        for (String p : List.of("roll-0", "roll-1", "roll-2")) {
            started.put(p, queryOn("roll", p, "SELECT to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS.US')"));
        }
        for (String p : List.of("roll-1", "roll-2")) {
            assertTrue(started.get(p).compareTo(started.get("roll-0")) < 0, "replica " + p + " restarted before the former primary: " + started);
        }
    }

    /**
     * A minor update (spec.image to a new tag or digest): the same roll, replicas first, then a switchover, then the
     * former primary; status.instanceImages shows the roll reaching each instance, and no row is lost.
     */
    @Test
    void aNewImageRollsReplicasFirstAndStatusShowsTheImageEachInstanceRuns() throws Exception {
        create(ClusterOperatorTest.managed("minor", 2, Map.of()));
        awaitReady(PostgresCluster.class, "minor");
        execute("minor-rw", "minor", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
        String image = "postgres:15.99@sha256:" + "0".repeat(64);
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("minor").edit(c -> { c.getSpec().setImage(image); return c; });
        PostgresCluster rolled = await(PostgresCluster.class, "minor", c -> Conditions.isReady(c.getStatus())
                && c.getStatus().getObservedGeneration() != null && c.getStatus().getObservedGeneration() >= c.getMetadata().getGeneration()
                && c.getStatus().getInstanceImages().size() == 2
                && c.getStatus().getInstanceImages().stream().allMatch(i -> image.equals(i.getImage())));
        assertEquals("minor-1", rolled.getStatus().getCurrentPrimary(), "the primary moved before its own restart");
        String replicaStart = queryOn("minor", "minor-1", "SELECT to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS.US')");
        String formerPrimaryStart = queryOn("minor", "minor-0", "SELECT to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS.US')");
        assertTrue(replicaStart.compareTo(formerPrimaryStart) < 0, "the replica restarted first: " + replicaStart + " / " + formerPrimaryStart);
        assertEquals("100", queryOn("minor", "minor-1", "SELECT count(*) FROM orders"));
    }

    @Test
    void aFailoverIsRefusedWhenNoReplicaIsKnownToHoldEveryAcknowledgedCommit() throws Exception {
        PostgresCluster sync = ClusterOperatorTest.managed("quorum", 3, Map.of());
        sync.getSpec().setSynchronous(new SynchronousSpec());
        create(sync);
        awaitReady(PostgresCluster.class, "quorum");
        assertEquals("ANY 1 (\"quorum-0\", \"quorum-1\", \"quorum-2\")", queryOn("quorum", "quorum-0", "SHOW synchronous_standby_names"));
        execute("quorum-rw", "quorum", "CREATE TABLE orders (id int)", "INSERT INTO orders VALUES (1)");

        // With ANY 1 of 2, a commit may be on quorum-2 alone: once it is gone too, quorum-1 cannot be trusted.
        kubelet.loseNode(ns(), "quorum-2");
        await(PostgresCluster.class, "quorum", c -> c.getStatus() != null && c.getStatus().getReadyInstances() == 2);
        kubelet.loseNode(ns(), "quorum-0");
        PostgresCluster refused = awaitCondition(PostgresCluster.class, "quorum", Conditions.RECONCILING, Reasons.FAILOVER_REFUSED);
        String message = Conditions.find(refused.getStatus(), Conditions.READY).getMessage();
        assertTrue(message.contains("no replica is safe to promote") && message.contains("at least 2"), message);
        assertEquals("quorum-0", refused.getStatus().getCurrentPrimary());
        assertTrue(eventsApiHasIt("quorum"), "a Warning Event tells why");

        kubelet.restoreNode(ns(), "quorum-0");
        await(PostgresCluster.class, "quorum", c -> c.getStatus().getReadyInstances() == 2 && Boolean.TRUE.equals(c.getStatus().getPrimaryReachable()));
        // (restored together, quorum-2 could answer first: then two of two replicas are read and a promotion is safe)
        kubelet.restoreNode(ns(), "quorum-2");
        PostgresCluster back = awaitReady(PostgresCluster.class, "quorum");
        assertEquals("quorum-0", back.getStatus().getCurrentPrimary(), "the primary came back; nothing was promoted");
        assertEquals(null, back.getStatus().getFailovers());
    }

    /**
     * A hung primary (its postmaster stopped with SIGSTOP: alive, its pod still Ready for the kubelet's probes,
     * answering nothing) in synchronous mode: the operator's own probe finds it lost, the former primary is fenced
     * (its pod deleted) and a synchronous replica is promoted; writes through -rw commit again, which needs the
     * third instance to follow the new primary (a synchronous commit waits for a standby), and every row
     * acknowledged before the hang is on the new primary.
     */
    @Test
    void aHungPrimaryIsFailedOverWhileItsPodIsStillReadyAndSynchronousCommitsResume() throws Exception {
        PostgresCluster sync = ClusterOperatorTest.managed("hung", 3, Map.of());
        sync.getSpec().setSynchronous(new SynchronousSpec());
        create(sync);
        awaitReady(PostgresCluster.class, "hung");
        execute("hung-rw", "hung", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
        awaitReplayed("hung", List.of("hung-1", "hung-2"), 100);

        assertTrue(kubelet.freezeServer(ns(), "hung-0"));
        PostgresCluster failedOver = await(PostgresCluster.class, "hung",
                c -> c.getStatus() != null && !"hung-0".equals(c.getStatus().getCurrentPrimary()) && c.getStatus().getFailovers() != null);
        assertEquals(1, failedOver.getStatus().getFailovers());
        // found by the operator's own probe while the kubelet still called the pod Ready, and stopped before the promotion
        assertTrue(client.events().v1().events().inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> e.getRegarding() != null && "hung".equals(e.getRegarding().getName()) && e.getNote() != null
                        && e.getNote().contains("Stopping the primary hung-0, which does not answer, before promoting a replica")),
                "the hung primary was fenced while its pod was Ready");
        // committed through -rw on the new primary: a synchronous standby (the third instance) acknowledged it
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions()
                .until(() -> { execute("hung-rw", "hung", "INSERT INTO orders SELECT generate_series(101, 200)"); return true; });
        String promoted = failedOver.getStatus().getCurrentPrimary();
        assertEquals("200", queryOn("hung", promoted, "SELECT count(*) FROM orders"), "nothing acknowledged was lost");
        // the frozen former primary was fenced (deleted, restarted as a replica): never two primaries
        PostgresCluster healed = withLogsOnFailure(() -> awaitReady(PostgresCluster.class, "hung"), "hung-0", promoted);
        assertEquals(promoted, healed.getStatus().getCurrentPrimary());
        assertEquals("t", queryOn("hung", "hung-0", "SELECT pg_is_in_recovery()"));
    }

    /**
     * A partition: the primary cut off from the operator and from its replica (sandbox annotation cut-off), while a
     * client on its side keeps writing to it. Its guard must fence it (lease not renewed, no replica following)
     * before the operator lets the replica take writes: the last commit the old primary acknowledged comes before
     * the first the new one acknowledges. Healed, the old primary rejoins as a replica.
     */
    @Test
    void aPrimaryCutOffFencesItselfBeforeAnotherTakesWritesSoTwoPrimariesNeverAcceptWrites() throws Exception {
        create(ClusterOperatorTest.managed("cut", 2, Map.of()));
        awaitReady(PostgresCluster.class, "cut");
        execute("cut-rw", "cut", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 10)");
        awaitReplayed("cut", List.of("cut-1"), 10);

        SideWriter onOld = new SideWriter(kubelet, client, ns(), "cut", "cut-0", 1_000_000).start();
        SideWriter onNew = new SideWriter(kubelet, client, ns(), "cut", "cut-1", 2_000_000).start(); // refused (read-only) until promoted
        Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(onOld::wroteAny);
        client.pods().inNamespace(ns()).withName("cut-0").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations(LocalKubelet.CUT_OFF_ANNOTATION, "true").endMetadata().build());
        PostgresCluster failedOver = withLogsOnFailure(() -> await(PostgresCluster.class, "cut",
                c -> c.getStatus() != null && "cut-1".equals(c.getStatus().getCurrentPrimary())), "cut-0", "cut-1");
        assertEquals(1, failedOver.getStatus().getFailovers());
        Awaitility.await().atMost(READY_TIMEOUT).until(onNew::wroteAny);
        onOld.stop();
        onNew.stop();
        // the old primary's last commit happened before it was acknowledged, the new one's first after it was sent
        long lastOnOld = onOld.commits().get(onOld.commits().size() - 1).acknowledged();
        long firstOnNew = onNew.commits().get(0).sent();
        String guardLog = java.nio.file.Files.readString(kubelet.root().resolve("pods").resolve(ns()).resolve("cut-0").resolve("guard.log"));
        assertTrue(lastOnOld < firstOnNew, "two primaries took writes for " + (lastOnOld - firstOnNew) / 1_000_000 + " ms; guard: " + guardLog);
        assertTrue(guardLog.contains("FENCING"), "the old primary fenced itself: " + guardLog);
        System.out.printf("cut-off primary: the new primary's first commit was sent %d ms after the old one's last was acknowledged%n",
                (firstOnNew - lastOnOld) / 1_000_000);

        // healed: the pending delete completes, the pod comes back as a replica of cut-1
        client.pods().inNamespace(ns()).withName("cut-0").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations(LocalKubelet.CUT_OFF_ANNOTATION, "false").endMetadata().build());
        PostgresCluster healed = withLogsOnFailure(() -> await(PostgresCluster.class, "cut", c -> Conditions.isReady(c.getStatus())
                && c.getStatus().getReplicas() != null && c.getStatus().getReplicas().stream().anyMatch(r -> r.getName().equals("cut-0")
                && "streaming".equals(r.getState()))), "cut-0", "cut-1");
        assertEquals("cut-1", healed.getStatus().getCurrentPrimary());
        assertEquals("t", queryOn("cut", "cut-0", "SELECT pg_is_in_recovery()"));
    }

    /**
     * A planned disruption: `kubectl drain` cordons the primary's node, then evicts its pods; the primary's budget
     * (minAvailable 1) refuses its eviction, and the operator, seeing the cordon, switches over to the replica on
     * another node. No failover is counted.
     */
    @Test
    void aCordonedPrimaryNodeBecomesASwitchoverNotAFailover() throws Exception {
        create(ClusterOperatorTest.managed("drain", 2, Map.of()));
        awaitReady(PostgresCluster.class, "drain");
        var budget = client.policy().v1().podDisruptionBudget().inNamespace(ns()).withName("drain-primary").get();
        assertEquals(1, budget.getSpec().getMinAvailable().getIntVal(), "the primary may not be evicted");
        assertEquals(ClusterNames.ROLE_PRIMARY, budget.getSpec().getSelector().getMatchLabels().get(ClusterNames.ROLE_LABEL));
        String node = pod("drain-0").getSpec().getNodeName();
        assertNotEquals(node, pod("drain-1").getSpec().getNodeName(), "the instances run on two nodes");
        try {
            client.nodes().withName(node).edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n).editOrNewSpec().withUnschedulable(true).endSpec().build());
            PostgresCluster moved = withLogsOnFailure(() -> await(PostgresCluster.class, "drain",
                    c -> c.getStatus() != null && "drain-1".equals(c.getStatus().getCurrentPrimary()) && Conditions.isReady(c.getStatus())), "drain-0", "drain-1");
            assertTrue(moved.getStatus().getFailovers() == null || moved.getStatus().getFailovers() == 0, "a switchover, not a failover");
            assertTrue(client.events().v1().events().inNamespace(ns()).list().getItems().stream()
                    .anyMatch(e -> e.getRegarding() != null && "drain".equals(e.getRegarding().getName()) && e.getNote() != null
                            && e.getNote().contains("is cordoned (being drained)")), "the Event says why");
            // the former primary follows, ready to be evicted
            Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> "t".equals(queryOn("drain", "drain-0", "SELECT pg_is_in_recovery()")));
        } finally {
            client.nodes().withName(node).edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n).editOrNewSpec().withUnschedulable(false).endSpec().build());
        }
    }

    private boolean eventsApiHasIt(String cluster) {
        return client.events().v1().events().inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> Reasons.FAILOVER_REFUSED.equals(e.getReason()) && e.getRegarding() != null && cluster.equals(e.getRegarding().getName()));
    }

    /** Inserts and commits one row at a time through -rw, reconnecting on errors; records acknowledged ids. */
    final class Writer {
        final List<Integer> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        private final String cluster;
        private volatile boolean running = true;
        private Thread thread;

        Writer(String cluster) {
            this.cluster = cluster;
        }

        void start() {
            thread = new Thread(() -> {
                int next = 1;
                while (running) {
                    try (Connection c = PgConnections.open(superuser(cluster + "-rw", cluster));
                         var ps = c.prepareStatement("INSERT INTO orders VALUES (?)")) {
                        while (running) {
                            ps.setInt(1, next);
                            ps.executeUpdate();
                            acknowledged.add(next);
                            next++;
                        }
                    } catch (SQLException | RuntimeException e) {
                        next++; // the fate of this id is unknown: it was not acknowledged
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // a client's reconnect pace
                    }
                }
            }, "writer-" + cluster);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }

    /** Prints the tail of the pods' container logs when the wait fails, then fails as it would. */
    private <T> T withLogsOnFailure(java.util.function.Supplier<T> wait, String... pods) {
        try {
            return wait.get();
        } catch (RuntimeException | AssertionError e) {
            for (String p : pods) {
                try {
                    List<String> lines = java.nio.file.Files.readAllLines(kubelet.root().resolve("pods").resolve(ns()).resolve(p).resolve("container.log"));
                    System.out.println("---- " + p + "\n" + String.join("\n", lines.stream()
                            .filter(l -> !l.startsWith("2026") || l.contains("FATAL") || l.contains("rewind")).limit(60).toList())
                            + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
                } catch (java.io.IOException io) {
                    System.out.println("---- " + p + ": no log " + io);
                }
            }
            throw e;
        }
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(ns()).withName(name).get();
    }

    private PgEndpoint superuser(String service, String cluster) {
        char[] password = ClusterCredentials.read(client, ns(), cluster + "-superuser", "password");
        return endpoint(service, "postgres", "postgres", password);
    }

    private void execute(String service, String cluster, String... statements) throws SQLException {
        try (Connection c = PgConnections.open(superuser(service, cluster)); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private String queryOn(String cluster, String pod, String sql) throws SQLException {
        try (Connection c = PgConnections.open(superuser(pod + "." + cluster + "-headless", cluster)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void awaitReplayed(String cluster, List<String> pods, int rows) {
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> pods.stream().allMatch(p -> {
            try {
                return String.valueOf(rows).equals(queryOn(cluster, p, "SELECT count(*) FROM orders"))
                        && String.valueOf(rows * (rows + 1) / 2).equals(queryOn(cluster, p, "SELECT sum(id) FROM orders"));
            } catch (SQLException e) {
                return false;
            }
        }));
    }
}
