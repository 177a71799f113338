package io.shopdb.operator.bench;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of roles at almost no cost (issue 12), measured. For each N of {@code -Dscale.n} (default 100):
 * a fresh PostgreSQL with a database {@code shop} (owner shop_owner, schemas a and b with tables), the
 * sandbox's in-process API server holding an external PostgresCluster for that server, the PostgresDatabase
 * and N login PostgresRoles, each with CONNECT, USAGE and table privileges on both schemas and a default
 * privilege. Then the operator starts as its own process ({@code target/quarkus-app/quarkus-run.jar}) with the
 * Helm chart's JVM settings (container limit 512Mi → -XX:MaxRAM=512m, -XX:MaxRAMPercentage=70) and production
 * settings (re-check every 60 s), and the benchmark reports: seconds from the cluster's Ready to all Ready,
 * reconciles per role until then, and over a steady-state window: API requests by verb (counted at the API
 * server, the benchmark's own calls set apart by User-Agent), status writes, DDL statements
 * (pg_stat_statements), operator CPU-seconds (/proc/PID/stat), PostgreSQL sessions opened
 * (pg_stat_database.sessions), and the operator's resident memory (/proc/PID/status VmRSS).
 *
 * <pre>
 * mvn -B -o package -DskipTests
 * mvn -B -o test -Dtest=ScaleBenchmark -Dscale.n=100,1000 -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Results: target/benchmarks/scale.txt. A managed cluster would add the sandbox runner (a kubelet and
 * controllers in the same process) to the figures; the external cluster keeps them the operator's own.
 */
class ScaleBenchmark {
    static final String BENCH_AGENT = "shopdb-bench";
    static final Path OUT = Path.of("target/benchmarks/scale.txt");
    /** The image's application (the operator alone) and the sandbox's, built by mvn package. */
    static final Path OPERATOR_JAR = Path.of("operator/target/quarkus-app/quarkus-run.jar");
    static final Path SANDBOX_JAR = Path.of("sandbox/target/quarkus-app/quarkus-run.jar");
    /** The chart's memory settings (values.yaml: limit 512Mi, javaMaxRamPercentage); -Dscale.jvm to try others. */
    static final String CHART_JVM = System.getProperty("scale.jvm", "-XX:MaxRAM=512m -XX:MaxRAMPercentage=70");

    /**
     * Everything applied at once, as Argo CD syncs a directory: a managed PostgresCluster, its owner role, the
     * database and N login roles with grants on it, in one directory given to {@code sandbox --once} (the packaged
     * operator with the embedded API server and the local kubelet in one JVM, default heap). Reported per N of
     * {@code -Dscale.n}: seconds from the first manifest applied and from the cluster's Ready to all Ready (the
     * cluster's Ready seen by an informer of the benchmark's own, the rest from the sandbox's own lines), and the
     * load average before and after.
     */
    @Test
    void everythingAppliedAtOnceOnAManagedCluster() throws Exception {
        assertTrue(Files.exists(SANDBOX_JAR), SANDBOX_JAR + " is missing: run mvn -B -o package -DskipTests first");
        Files.createDirectories(OUT.getParent());
        for (String n : System.getProperty("scale.n", "100").split(",")) {
            String line = applyAll(Integer.parseInt(n.trim()));
            System.out.println(line);
            Files.writeString(OUT, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private String applyAll(int n) throws Exception {
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        Path dir = OUT.getParent().resolve("apply-all-" + n);
        ApplyAllManifests.write(dir, n);
        Path kubeconfig = OUT.getParent().resolve("apply-all-" + n + ".kubeconfig");
        Files.deleteIfExists(kubeconfig);
        Path log = OUT.getParent().resolve("apply-all-" + n + ".log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", SANDBOX_JAR.toString(),
                "sandbox", "--once", "--timeout", "1200s", "--kubeconfig", kubeconfig.toString(), dir.toString());
        Process sandbox = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long[] firstApplied = {0};
        long[] allReady = {0};
        long[] clusterReady = {0};
        Thread reader = new Thread(() -> {
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(sandbox.getInputStream()));
                 var file = Files.newBufferedWriter(log)) {
                for (String l; (l = out.readLine()) != null; ) {
                    if (firstApplied[0] == 0 && l.startsWith("sandbox: applied")) {
                        firstApplied[0] = System.nanoTime();
                    }
                    if (l.startsWith("sandbox: all ")) {
                        allReady[0] = System.nanoTime();
                    }
                    file.write(l);
                    file.newLine();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "sandbox-output");
        reader.start();
        try {
            while (!Files.exists(kubeconfig) && sandbox.isAlive()) {
                Thread.sleep(100); // a polling period of the measurement
            }
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(
                    Files.readString(kubeconfig))).build()) {
                var clusters = client.resources(PostgresCluster.class).inAnyNamespace().inform();
                while (sandbox.isAlive() && clusterReady[0] == 0) {
                    if (clusters.getStore().list().stream().anyMatch(c -> Conditions.isReady(c.getStatus()))) {
                        clusterReady[0] = System.nanoTime();
                    }
                    Thread.sleep(100);
                }
                clusters.close();
            }
            int rc = sandbox.waitFor();
            reader.join();
            if (rc != 0 || allReady[0] == 0) {
                throw new IllegalStateException("sandbox --once ended with " + rc + "; see " + log);
            }
        } finally {
            sandbox.destroy();
            sandbox.waitFor(60, TimeUnit.SECONDS);
        }
        return String.format("%s apply-all N=%d: all Ready %.1f s after the first manifest, %.1f s after the cluster's Ready;"
                        + " load average before %s, after %s",
                java.time.Instant.now().toString().substring(0, 16), n, (allReady[0] - firstApplied[0]) / 1e9,
                (allReady[0] - clusterReady[0]) / 1e9, loadBefore, Files.readString(Path.of("/proc/loadavg")).trim());
    }

    @Test
    void rolesWithGrantsAgainstOneCluster() throws Exception {
        assertTrue(Files.exists(OPERATOR_JAR), OPERATOR_JAR + " is missing: run mvn -B -o package -DskipTests first");
        int window = Integer.getInteger("scale.window", 60);
        Files.createDirectories(OUT.getParent());
        for (String n : System.getProperty("scale.n", "100").split(",")) {
            String line = run(Integer.parseInt(n.trim()), window);
            System.out.println(line);
            Files.writeString(OUT, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private String run(int n, int windowSeconds) throws Exception {
        TestPostgres pg = TestPostgres.start();
        Process operator = null;
        try (EmbeddedApiServer api = EmbeddedApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(api.url()).withNamespace("default").withUserAgent(BENCH_AGENT).build()).build()) {
            prepareServer(pg);
            applyManifests(client, pg, n);
            int httpPort;
            try (ServerSocket s = new ServerSocket(0)) {
                httpPort = s.getLocalPort();
            }
            Path log = OUT.getParent().resolve("scale-operator-" + n + ".log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(List.of(CHART_JVM.split(" ")));
            cmd.addAll(List.of("-Dkubernetes.master=" + api.url(), "-Dkubernetes.namespace=default",
                    "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                    "-Dquarkus.http.port=" + httpPort, "-jar", OPERATOR_JAR.toString()));
            operator = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long pid = operator.pid();

            long clusterReady = 0;
            long allReady = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
            while (allReady == 0) {
                if (System.nanoTime() > deadline || !operator.isAlive()) {
                    throw new IllegalStateException("not all Ready in time (or the operator died); see " + log);
                }
                if (clusterReady == 0) {
                    PostgresCluster c = client.resources(PostgresCluster.class).withName("bench-db").get();
                    if (c != null && Conditions.isReady(c.getStatus())) {
                        clusterReady = System.nanoTime();
                    }
                } else {
                    long ready = client.resources(PostgresRole.class).list().getItems().stream().filter(r -> Conditions.isReady(r.getStatus())).count();
                    if (ready == n) {
                        allReady = System.nanoTime();
                    }
                }
                Thread.sleep(200); // a polling period of the measurement, not a wait for a state in a test
            }
            double readySeconds = (allReady - clusterReady) / 1e9;
            double reconciles = sum(scrape(httpPort), "reconciliations_started_total", "postgresrole") / n;

            Thread.sleep(TimeUnit.SECONDS.toMillis(20)); // let the last status writes and events settle
            Map<String, Long> apiBefore = operatorRequests(api);
            long cpuBefore = cpuTicks(pid);
            long sessionsBefore = sessions(pg);
            pg.exec("postgres", "SELECT pg_stat_statements_reset()");
            Thread.sleep(TimeUnit.SECONDS.toMillis(windowSeconds));
            Map<String, Long> apiAfter = operatorRequests(api);
            long cpuAfter = cpuTicks(pid);
            long sessionsAfter = sessions(pg);
            long ddl = ddlStatements(pg);
            long rssKiB = rssKiB(pid);
            double perMinute = 60.0 / windowSeconds;

            Map<String, Long> verbs = new TreeMap<>();
            apiAfter.forEach((k, v) -> {
                long d = v - apiBefore.getOrDefault(k, 0L);
                if (d > 0) {
                    verbs.merge(k, d, Long::sum);
                }
            });
            StringBuilder perVerb = new StringBuilder();
            verbs.forEach((k, v) -> perVerb.append(k).append('=').append(String.format("%.0f", v * perMinute)).append(' '));
            return String.format("%s N=%d: all Ready %.1f s after the cluster; %.2f reconciles/role until Ready;"
                            + " steady state per minute: API {%s} DDL %.0f, operator CPU %.2f s (%.1f%% of a core),"
                            + " PostgreSQL sessions opened %.0f; RSS %d MiB (%s)",
                    java.time.Instant.now().toString().substring(0, 16), n, readySeconds, reconciles, perVerb.toString().trim(),
                    ddl * perMinute, (cpuAfter - cpuBefore) / 100.0 * perMinute, (cpuAfter - cpuBefore) / 100.0 / windowSeconds * 100,
                    (sessionsAfter - sessionsBefore - 2) * perMinute, rssKiB / 1024, CHART_JVM);
        } finally {
            if (operator != null) {
                operator.destroy();
                if (!operator.waitFor(30, TimeUnit.SECONDS)) {
                    operator.destroyForcibly();
                }
            }
            pg.stop();
        }
    }

    private static void prepareServer(TestPostgres pg) throws Exception {
        pg.exec("postgres", "CREATE EXTENSION pg_stat_statements", "CREATE ROLE shop_owner", "CREATE DATABASE shop OWNER shop_owner");
        pg.exec("shop", "CREATE SCHEMA a AUTHORIZATION shop_owner", "CREATE SCHEMA b AUTHORIZATION shop_owner",
                "SET ROLE shop_owner", "CREATE TABLE a.orders (id int)", "CREATE TABLE a.items (id int)", "CREATE TABLE b.customers (id int)");
    }

    private static void applyManifests(KubernetesClient client, TestPostgres pg, int n) {
        client.resource(new SecretBuilder().withNewMetadata().withName("bench-admin").endMetadata()
                .addToStringData("username", "postgres").addToStringData("password", new String(pg.superuser().password())).build()).create();
        client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: bench-db}
                spec:
                  external: {host: 127.0.0.1, port: %d, sslMode: disable, adminSecretRef: {name: bench-admin}}
                """.formatted(pg.port()), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create(); // as written: the typed class adds managed-only defaults
        client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: shop}
                spec:
                  clusterRef: {name: bench-db}
                  owner: shop_owner
                  schemas: [{name: a, owner: shop_owner}, {name: b, owner: shop_owner}]
                """, PostgresDatabase.class)).create();
        for (int i = 0; i < n; i++) {
            client.resource(Serialization.unmarshal(ApplyAllManifests.role(i), PostgresRole.class)).create();
        }
    }

    /** Requests of every client but the benchmark's own, by "agent verb" (the operator's, here). */
    private static Map<String, Long> operatorRequests(EmbeddedApiServer api) {
        Map<String, Long> out = new TreeMap<>();
        api.requests().snapshot().forEach((k, v) -> {
            if (!k.startsWith(BENCH_AGENT + " ")) {
                out.put(k.substring(k.lastIndexOf(' ') + 1), v);
            }
        });
        return out;
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double sum(String body, String name, String controller) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)}\\s+(\\S+)").matcher(body);
        double total = 0;
        while (m.find()) {
            if (m.group(1).contains("controller_name=\"" + controller + "\"")) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    /** utime + stime of the process, in clock ticks (USER_HZ, 100 a second on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long sessions(TestPostgres pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long ddlStatements(TestPostgres pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ~* '^\\s*(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT)'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
