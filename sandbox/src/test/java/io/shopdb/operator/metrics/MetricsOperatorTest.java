package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.testing.OperatorTestBase;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator's /q/metrics with a real sandbox cluster behind it. */
@QuarkusTest
class MetricsOperatorTest extends OperatorTestBase {
    @Inject MetricsTask task;

    static String scrape() {
        return io.shopdb.operator.testing.Scrapes.scrape();
    }

    static Double sample(String body, String name, String... labels) {
        return io.shopdb.operator.testing.Scrapes.sample(body, name, labels);
    }

    @Test
    void aReadyClusterIsUpAndACommitMovesItsCounter() throws Exception {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName("metrics").build());
        c.setSpec(new PostgresClusterSpec());
        create(c);
        awaitReady(PostgresCluster.class, "metrics");
        String cluster = "cluster=\"metrics\"";

        String body = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(MetricsOperatorTest::scrape, b -> Double.valueOf(1.0).equals(sample(b, "shopdb_pg_up", cluster)));
        assertTrue(sample(body, "shopdb_pg_max_connections", cluster) >= 100);
        assertEquals(1.0, sample(body, "shopdb_pg_server_version_info", cluster, "server_version=\"15"));
        assertTrue(sample(body, "shopdb_pg_database_size_bytes", cluster, "database=\"postgres\"") > 0);
        assertTrue(sample(body, "shopdb_resources", "kind=\"PostgresCluster\"", "condition=\"Ready\"") >= 1);
        assertTrue(sample(body, "shopdb_last_successful_reconcile_timestamp_seconds", "kind=\"PostgresCluster\"", "name=\"metrics\"") > 0);

        double before = sample(body, "shopdb_pg_xact_commit_total", cluster, "database=\"postgres\"");
        char[] password = ClusterCredentials.read(client, ns(), "metrics-superuser", "password");
        try (Connection conn = PgConnections.open(endpoint("metrics-rw", "postgres", "postgres", password));
             Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE metrics_probe (id int)");
            st.execute("INSERT INTO metrics_probe VALUES (1)");
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sample(scrape(), "shopdb_pg_xact_commit_total", cluster, "database=\"postgres\"") > before);
    }

    /** A streaming replica has lag series; a replication slot's series comes and goes with the slot. */
    @Test
    void replicasAndSlotsHaveSeriesThatFollowTheServer() throws Exception {
        String cluster = pairWithLagSeries();

        char[] password = ClusterCredentials.read(client, ns(), "metrics-pair-superuser", "password");
        var admin = endpoint("metrics-pair-rw", "postgres", "postgres", password);
        try (Connection conn = PgConnections.open(admin); Statement st = conn.createStatement()) {
            st.execute("SELECT pg_create_physical_replication_slot('abandoned_slot', true)");
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sample(scrape(), "shopdb_pg_replication_slot_retained_wal_bytes", cluster, "slot=\"abandoned_slot\"") != null);
        try (Connection conn = PgConnections.open(admin); Statement st = conn.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot('abandoned_slot')");
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sample(scrape(), "shopdb_pg_replication_slot_retained_wal_bytes", cluster, "slot=\"abandoned_slot\"") == null);
    }

    /**
     * Every shopdb_ and JOSDK metric served is documented in docs/metrics.md (the alerts test relies on that list).
     * Runs after a cluster exists: JOSDK registers its counters on the first reconcile.
     */
    @Test
    void everyServedOperatorMetricIsDocumented() throws Exception {
        pairWithLagSeries(); // what makes JOSDK register its counters and the replica series appear, whatever ran before
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> task.ticks() > 0);
        String body = scrape();
        // Kept for people updating docs/metrics.md: what this build serves.
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target"));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/metrics-scrape.txt"), body);
        Set<String> served = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)").matcher(body);
        while (m.find()) {
            String name = m.group(1);
            if (name.startsWith("shopdb_") || name.startsWith("reconciliations_") || name.startsWith("events_")
                    || name.equals("custom_resources")) {
                if (name.endsWith("_max") && body.contains("# TYPE " + name.substring(0, name.length() - 4) + " ")) {
                    continue; // Micrometer's companion gauge of a timer, documented with it
                }
                served.add(m.group(2).equals("counter") && !name.endsWith("_total") ? name + "_total" : name);
            }
        }
        Set<String> documented = ChartTest.MetricsDoc.names();
        assertTrue(documented.containsAll(served), "served but not in docs/metrics.md: " + minus(served, documented));
        for (String expected : new String[]{"reconciliations_started_total", "reconciliations_success_total",
                "reconciliations_execution_duration_seconds", "events_received_total", "custom_resources", "reconciliations_queue",
                "shopdb_resources", "shopdb_pg_up", "shopdb_pg_xact_commit_total", "shopdb_last_successful_reconcile_timestamp_seconds",
                "shopdb_pg_replication_lag_bytes", "shopdb_pg_replication_lag_seconds"}) {
            assertTrue(served.contains(expected), expected + " not in " + served);
        }
    }

    /** The two-instance cluster metrics-pair (made by the first test that needs it), once its replica has lag series. */
    private String pairWithLagSeries() {
        if (client.resources(PostgresCluster.class).inNamespace(ns()).withName("metrics-pair").get() == null) {
            var c = new PostgresCluster();
            c.setMetadata(new ObjectMetaBuilder().withName("metrics-pair").build());
            var spec = new PostgresClusterSpec();
            spec.setInstances(2);
            c.setSpec(spec);
            create(c);
        }
        awaitReady(PostgresCluster.class, "metrics-pair");
        String cluster = "cluster=\"metrics-pair\"";
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> sample(scrape(), "shopdb_pg_replication_lag_bytes", cluster, "replica=") != null);
        return cluster;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
