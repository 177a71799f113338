package io.shopdb.operator.bench;

import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.StandbySpec;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.OperatorTestBase;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A standby cluster in the sandbox under a steady writer: how late the standby shows a commit (replay lag), and the
 * two ways out. "planned": the source is demoted, the standby promoted; the write outage and the acknowledged commits
 * missing on the promoted cluster (goal 0). "lost": the source's node is lost (its postmaster keeps nothing going
 * out), the standby promoted; the time from the promotion request to the first write accepted, and the commits lost.
 * The writer commits one order (with a 1 KB note) at a time, as fast as the source takes them, through the -rw
 * Service address. Not a test: a command (BENCHMARKS.md); -Dbench.runs (default 3), -Dbench.seconds (default 20).
 */
@QuarkusTest
class StandbyBenchmark extends OperatorTestBase {
    @Inject LocalKubelet kubelet;

    @Test
    void standbyLagAndPromotion() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        int seconds = Integer.getInteger("bench.seconds", 20);
        List<String> report = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String scenario : List.of("planned", "lost")) {
                report.add(scenario + " run " + run + ": " + once(scenario + run, scenario, seconds) + " (load " + load() + ")");
                System.out.println("STANDBY-BENCH " + report.get(report.size() - 1));
            }
        }
        System.out.println("STANDBY-BENCH summary\n" + String.join("\n", report));
    }

    private String once(String suffix, String scenario, int seconds) throws Exception {
        String east = "e" + suffix;
        String west = "w" + suffix;
        create(cluster(east, 1, null));
        awaitReady(PostgresCluster.class, east);
        sqlOn(east, "CREATE TABLE orders (id bigint PRIMARY KEY, note text)");
        create(cluster(west, 2, east));
        awaitCondition(PostgresCluster.class, west, Conditions.READY, Reasons.STANDBY);

        Writer writer = new Writer(east).start();
        List<Long> lagMillis = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            long visible = Long.parseLong(valueOn(west, "SELECT coalesce(max(id), 0) FROM orders"));
            long now = System.nanoTime();
            Long firstMissing = writer.acked.get(visible + 1);
            lagMillis.add(firstMissing == null ? 0 : (now - firstMissing) / 1_000_000);
            Thread.sleep(100);
        }
        lagMillis.sort(Long::compare);
        String lag = "replay lag p50 " + lagMillis.get(lagMillis.size() / 2) + " ms, p95 " + lagMillis.get(lagMillis.size() * 95 / 100)
                + " ms, max " + lagMillis.get(lagMillis.size() - 1) + " ms over " + writer.acked.size() + " commits";

        long requested;
        if (scenario.equals("planned")) {
            editCluster(east, c -> c.getSpec().setStandby(StandbySpec.of(west)));
            awaitCondition(PostgresCluster.class, east, Conditions.READY, Reasons.STANDBY);
            requested = System.nanoTime();
        } else {
            kubelet.loseNode(ns(), east + "-0");
            requested = System.nanoTime();
        }
        writer.stop();
        editCluster(west, c -> c.getSpec().getStandby().setEnabled(false));
        long firstWrite = firstWriteOn(west);
        Set<Long> present = new HashSet<>();
        try (Connection c = PgConnections.open(clusterSuperuser(west)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        long lost = writer.acked.keySet().stream().filter(id -> !present.contains(id)).count();
        long lastAck = writer.acked.values().stream().mapToLong(Long::longValue).max().orElse(requested);
        if (scenario.equals("lost")) {
            kubelet.restoreNode(ns(), east + "-0");
        }
        client.resources(PostgresCluster.class).inNamespace(ns()).withName(west).delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName(east).delete();
        return lag + "; " + (scenario.equals("planned") ? "demoted, then" : "source lost, then") + " promotion request to first write on "
                + west + " " + (firstWrite - requested) / 1_000_000 + " ms, write outage (last commit on " + east + " to first on " + west + ") "
                + (firstWrite - lastAck) / 1_000_000 + " ms, acknowledged commits lost " + lost + " of " + writer.acked.size();
    }

    /** Commits one order at a time on {@code cluster}'s -rw Service; keeps when each id was acknowledged. */
    private final class Writer {
        final Map<Long, Long> acked = new ConcurrentHashMap<>();
        private final String cluster;
        private volatile boolean running = true;
        private Thread thread;

        Writer(String cluster) {
            this.cluster = cluster;
        }

        Writer start() {
            thread = new Thread(() -> {
                long next = 1;
                String note = "x".repeat(1024);
                while (running) {
                    try (Connection c = PgConnections.open(clusterSuperuser(cluster), 1, 2);
                         var ps = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
                        while (running) {
                            ps.setLong(1, next);
                            ps.setString(2, note);
                            ps.executeUpdate();
                            acked.put(next++, System.nanoTime());
                        }
                    } catch (SQLException | RuntimeException e) {
                        next++; // its fate is unknown: not acknowledged
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                    }
                }
            }, "standby-bench-writer");
            thread.start();
            return this;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }

    private long firstWriteOn(String cluster) {
        return Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                sqlOn(cluster, "INSERT INTO orders VALUES (-1, 'promoted') ON CONFLICT DO NOTHING");
                return System.nanoTime();
            } catch (SQLException e) {
                return null;
            }
        }, t -> t != null);
    }

    private static PostgresCluster cluster(String name, int instances, String source) {
        PostgresCluster c = io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %s}
                spec: {instances: %d}
                """.formatted(name, instances), PostgresCluster.class);
        if (source != null) {
            c.getSpec().setStandby(StandbySpec.of(source));
        }
        return c;
    }






    private static String load() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
