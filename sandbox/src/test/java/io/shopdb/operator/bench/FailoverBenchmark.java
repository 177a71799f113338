package io.shopdb.operator.bench;

import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.SynchronousSpec;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.SideWriter;
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

/**
 * Write outage and acknowledged commits lost, on a 3-instance cluster in the sandbox, for a lost primary
 * node, a SIGKILLed postmaster and a planned switchover, asynchronous and synchronous (ANY 1). A client
 * inserts and commits one row at a time through the -rw Service address (the sandbox's ClusterIP proxy),
 * reconnecting after errors; the outage is the longest gap between two acknowledged commits around the
 * event; lost commits are acknowledged ids missing from the table after recovery. Mode "pooler" (asynchronous)
 * writes through a PostgresPooler (PgBouncer, transaction mode) as a login role instead, lost node and planned
 * switchover (PAUSE/RESUME), and also counts the errors the client saw. Scenario "hung" stops the primary's
 * postmaster with SIGSTOP (alive, its pod Ready, answering nothing). Not a test: a command (see BENCHMARKS.md);
 * -Dbench.runs (default 5), -Dbench.modes (async,sync; or pooler), -Dbench.scenarios (default all).
 */
@QuarkusTest
class FailoverBenchmark extends OperatorTestBase {
    @Inject LocalKubelet kubelet;
    /**
     * -Dbench.connectPerCommit=true: each INSERT on a new connection, as a client running psql per statement does. A
     * hung postmaster accepts no new session, while sessions opened before the hang go on committing.
     */
    static final boolean CONNECT_PER_COMMIT = Boolean.getBoolean("bench.connectPerCommit");
    /**
     * -Dbench.psql=true: the writer is no code of ours: one psql process per INSERT (a separate OS process, its own
     * session, through the -rw Service address), acknowledged when psql exits 0.
     */
    static final boolean PSQL = Boolean.getBoolean("bench.psql");
    /** -Dbench.scenarios=hung,sigkill runs only those (default: all of the mode's). */
    static final List<String> SCENARIOS = System.getProperty("bench.scenarios") == null ? null
            : List.of(System.getProperty("bench.scenarios").split(","));

    @Test
    void failoverAndSwitchoverOutage() throws Exception {
        int runs = Integer.getInteger("bench.runs", 5);
        List<String> modes = List.of(System.getProperty("bench.modes", "async,sync").split(","));
        List<String> report = new ArrayList<>();
        for (String mode : modes) {
            int lostBefore = 0;
            String name = "bench-" + mode;
            PostgresCluster c = io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresCluster
                    metadata: {name: %s}
                    spec: {instances: 3}
                    """.formatted(name), PostgresCluster.class);
            if (mode.equals("sync")) {
                c.getSpec().setSynchronous(new SynchronousSpec());
            }
            create(c);
            awaitStable(name);
            execute(name, "CREATE TABLE orders (id bigint PRIMARY KEY)");
            boolean pooled = mode.equals("pooler");
            if (pooled) {
                poolerFor(name);
                execute(name, "GRANT SELECT, INSERT ON orders TO bench_app");
            }
            Writer writer = new Writer(pooled ? () -> throughPooler(name) : () -> rw(name), pooled);
            writer.start();
            List<String> all = pooled ? List.of("node-lost", "hung", "switchover") : List.of("node-lost", "sigkill", "hung", "cut-off", "switchover");
            for (String scenario : all.stream().filter(x -> SCENARIOS == null || SCENARIOS.contains(x)).toList()) {
                int errorsBefore = writer.errors();
                List<Double> outages = new ArrayList<>();
                List<Long> overlaps = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    awaitStable(name);
                    int before = writer.size();
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> writer.size() > before + 20);
                    String primary = cluster(name).getStatus().getCurrentPrimary();
                    long at = System.nanoTime();
                    // a client on the old primary's side of a partition, writing to its own address (cut-off only)
                    SideWriter side = scenario.equals("cut-off") ? new SideWriter(kubelet, client, ns(), name, primary, 1_000_000_000L * (run + 1)).start() : null;
                    if (side != null) {
                        Awaitility.await().atMost(Duration.ofSeconds(30)).until(side::wroteAny);
                        at = System.nanoTime();
                    }
                    final long eventAt = at;
                    switch (scenario) {
                        case "node-lost" -> kubelet.loseNode(ns(), primary);
                        case "sigkill" -> kubelet.crashServer(ns(), primary);
                        // SIGSTOP of the postmaster: alive, its pod Ready, answering nothing
                        case "hung" -> kubelet.freezeServer(ns(), primary);
                        case "cut-off" -> cutOff(primary, true);
                        default -> {
                            String target = name + "-" + ((Integer.parseInt(primary.substring(primary.lastIndexOf('-') + 1)) + 1) % 3);
                            client.resources(PostgresCluster.class).inNamespace(ns()).withName(name)
                                    .edit(x -> { x.getSpec().setPrimary(target); return x; });
                        }
                    }
                    Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> !primary.equals(cluster(name).getStatus().getCurrentPrimary())
                            && writer.lastAck() > eventAt);
                    int acksAfter = writer.size();
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> writer.size() > acksAfter + 10);
                    outages.add(writer.longestGapAfter(writer.lastAckBefore(at)) / 1e9);
                    if (side != null) {
                        side.stop();
                        // the old primary's last commit was acknowledged before the new one's first was sent: no overlap
                        var commits = side.commits();
                        long former = ordinalOf(primary);
                        overlaps.add(Math.max(0, commits.get(commits.size() - 1).acknowledged() - writer.firstSentAfter(eventAt, former)) / 1_000_000);
                    }
                    if (scenario.equals("node-lost")) {
                        kubelet.restoreNode(ns(), primary);
                    }
                    if (scenario.equals("cut-off")) {
                        cutOff(primary, false);
                    }
                }
                writer.pause();
                awaitStable(name);
                int lostTotal = writer.lostAgainst(storedIds(name));
                int lost = lostTotal - lostBefore; // this scenario's share
                lostBefore = lostTotal;
                writer.resume();
                List<Double> sorted = outages.stream().sorted().toList();
                String line = String.format("%-11s %-10s runs=%d outage median=%.2fs min=%.2fs max=%.2fs all=%s acknowledged-lost=%d (of %d) client-errors=%d%s load=%s",
                        mode + (PSQL ? "/psql" : CONNECT_PER_COMMIT ? "/conn" : ""), scenario, runs, sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1),
                        outages.stream().map(d -> String.format("%.2f", d)).toList(), lost, writer.size(), writer.errors() - errorsBefore,
                        overlaps.isEmpty() ? "" : " two-writable-primaries-ms=" + overlaps, load());
                System.out.println("FailoverBenchmark: " + line);
                report.add(line);
            }
            writer.stop();
        }
        Path out = Path.of("target/benchmarks/failover.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
    }

    private void awaitStable(String name) {
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            PostgresCluster c = cluster(name);
            return c != null && Conditions.isReady(c.getStatus()) && c.getStatus().getReadyInstances() == 3
                    && c.getStatus().getReplicas().stream().filter(r -> "streaming".equals(r.getState())).count() == 2;
        });
    }

    /** A login role bench_app (password generated) and a PostgresPooler <name>-pooler in transaction mode, both Ready. */
    private void poolerFor(String name) {
        create(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: %1$s-app}
                spec: {clusterRef: {name: %1$s}, name: bench_app}
                """.formatted(name), io.shopdb.operator.api.v1alpha1.PostgresRole.class));
        create(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: %1$s-pooler}
                spec: {clusterRef: {name: %1$s}}
                """.formatted(name), io.shopdb.operator.api.v1alpha1.PostgresPooler.class));
        awaitReady(io.shopdb.operator.api.v1alpha1.PostgresRole.class, name + "-app");
        awaitReady(io.shopdb.operator.api.v1alpha1.PostgresPooler.class, name + "-pooler");
    }

    private PgEndpoint throughPooler(String name) {
        var a = kubelet.serviceAddress(ns(), name + "-pooler", 5432);
        // PgBouncer serves TLS only: verified against the pooler's CA and Service name, as an app in the cluster would
        return new PgEndpoint(a.host(), a.port(), "postgres", "bench_app", ClusterCredentials.read(client, ns(), name + "-app-connection", "password"),
                "verify-full", io.shopdb.operator.testing.PoolerClients.trust(client, ns(), name + "-pooler"));
    }

    private PostgresCluster cluster(String name) {
        return client.resources(PostgresCluster.class).inNamespace(ns()).withName(name).get();
    }

    private PgEndpoint rw(String name) {
        var a = kubelet.serviceAddress(ns(), name + "-rw", 5432); // a stable address, like a ClusterIP
        return new PgEndpoint(a.host(), a.port(), "postgres", "postgres", ClusterCredentials.read(client, ns(), name + "-superuser", "password"), "require"); // hostssl only
    }

    private void execute(String name, String sql) throws SQLException {
        try (Connection c = PgConnections.open(rw(name)); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private Set<Long> storedIds(String name) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = PgConnections.open(rw(name)); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** The shop's client: one INSERT + COMMIT at a time, ack times recorded. */
    /**
     * One INSERT by a psql process of its own (no code of ours in the client); the ordinal of the instance that
     * committed it (its cluster_name), or -2 when psql did not exit 0.
     */
    static long psqlInsert(PgEndpoint e, long id) {
        try {
            var pb = new ProcessBuilder("psql", "host=" + e.host() + " port=" + e.port() + " user=" + e.user() + " dbname=" + e.database()
                    + " sslmode=require connect_timeout=2", "-XqtAc", "INSERT INTO orders VALUES (" + id + ") RETURNING current_setting('cluster_name')")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PGPASSWORD", new String(e.password()));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -2;
            }
            return p.exitValue() == 0 ? ordinalOf(out) : -2;
        } catch (java.io.IOException ex) {
            return -2;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }

    /** The ordinal of an instance name (cluster_name is the pod's name), -1 when it is not one. */
    static long ordinalOf(String instance) {
        int dash = instance.lastIndexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(instance.substring(dash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void cutOff(String pod, boolean cut) {
        client.pods().inNamespace(ns()).withName(pod).edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations(io.shopdb.operator.sandbox.LocalKubelet.CUT_OFF_ANNOTATION, String.valueOf(cut)).endMetadata().build());
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    final class Writer {
        private final java.util.function.Supplier<PgEndpoint> endpoint;
        private final java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
        private final List<long[]> acks = new ArrayList<>(); // {id, nanoTime}
        private volatile boolean running = true;
        private volatile boolean paused;
        private Thread thread;

        private final boolean simpleStatements;

        Writer(java.util.function.Supplier<PgEndpoint> endpoint, boolean simpleStatements) {
            this.endpoint = endpoint;
            this.simpleStatements = simpleStatements;
        }

        int errors() { return errors.get(); }

        void start() {
            thread = new Thread(() -> {
                long next = 1;
                while (running) {
                    if (paused) {
                        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                        continue;
                    }
                    if (PSQL) {
                        long id = next++;
                        long sent = System.nanoTime();
                        long server = psqlInsert(endpoint.get(), id);
                        if (server != -2) {
                            synchronized (acks) {
                                acks.add(new long[] {id, System.nanoTime(), sent, server});
                            }
                        } else {
                            errors.incrementAndGet();
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                        }
                        continue;
                    }
                    try (Connection c = PgConnections.open(endpoint.get()); var ps = c.prepareStatement("INSERT INTO orders VALUES (?)");
                         Statement plain = c.createStatement()) {
                        long server = -1; // the instance behind this session (unknown through a pooler)
                        if (!simpleStatements) {
                            try (var rs = plain.executeQuery("SELECT current_setting('cluster_name')")) {
                                rs.next();
                                server = ordinalOf(rs.getString(1));
                            }
                        }
                        while (running && !paused) {
                            long sent = System.nanoTime();
                            if (simpleStatements) {
                                // through PgBouncer in transaction mode: no named server-side prepared statements
                                plain.executeUpdate("INSERT INTO orders VALUES (" + next + ")");
                            } else {
                                ps.setLong(1, next);
                                ps.executeUpdate();
                            }
                            synchronized (acks) {
                                acks.add(new long[] {next, System.nanoTime(), sent, server});
                            }
                            next++;
                            if (CONNECT_PER_COMMIT) {
                                break; // a new session for the next one, as psql -c per INSERT does
                            }
                        }
                    } catch (SQLException | RuntimeException e) {
                        errors.incrementAndGet();
                        next++;
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // reconnect pace
                    }
                }
            }, "bench-writer");
            thread.start();
        }

        int size() { synchronized (acks) { return acks.size(); } }

        /** When the first INSERT acknowledged after {@code t} by an instance other than {@code formerOrdinal} was sent. */
        long firstSentAfter(long t, long formerOrdinal) {
            synchronized (acks) {
                return acks.stream().filter(a -> a[1] > t && a[3] != formerOrdinal).mapToLong(a -> a[2]).findFirst().orElse(Long.MAX_VALUE);
            }
        }

        long lastAckBefore(long t) {
            synchronized (acks) {
                long last = 0;
                for (long[] a : acks) {
                    if (a[1] <= t) {
                        last = a[1];
                    }
                }
                return last;
            }
        }

        long lastAck() { synchronized (acks) { return acks.isEmpty() ? 0 : acks.get(acks.size() - 1)[1]; } }

        long longestGapAfter(long from) {
            synchronized (acks) {
                long gap = 0;
                for (int i = 1; i < acks.size(); i++) {
                    if (acks.get(i - 1)[1] >= from) { // gaps that begin at the event, not the pause before a scenario
                        gap = Math.max(gap, acks.get(i)[1] - acks.get(i - 1)[1]);
                    }
                }
                return gap;
            }
        }

        int lostAgainst(Set<Long> stored) {
            synchronized (acks) {
                return (int) acks.stream().filter(a -> !stored.contains(a[0])).count();
            }
        }

        void pause() { paused = true; java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); }

        void resume() { paused = false; }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }
}
