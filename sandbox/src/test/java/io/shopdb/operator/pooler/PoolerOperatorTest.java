package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.PgBouncerConsole;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.Scrapes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PgBouncer pooler in front of a sandbox cluster, run by the sandbox kubelet as a real local PgBouncer 1.18:
 * the app role through the pooler in transaction mode (auth_query, no password copied), a password rotation
 * through it without a restart, 200 clients on 20 server connections, waiting for a missing cluster, a bad
 * parameter Stalled by name, and a deletion that leaves the cluster as it was.
 */
@QuarkusTest
class PoolerOperatorTest extends OperatorTestBase {
    private static boolean applied;

    @BeforeEach
    void clusterRoleAndPoolerOnce() {
        if (applied) {
            return;
        }
        applied = true;
        clusterWithDatabase("pool", "");
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: pool-app}
                spec:
                  clusterRef: {name: pool-db}
                  name: pool_app
                  grants: [{database: pool, privileges: [CONNECT]}]
                """, PostgresRole.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: pool-bouncer}
                spec: {clusterRef: {name: pool-db}, defaultPoolSize: 20}
                """, PostgresPooler.class));
        awaitReady(PostgresDatabase.class, "pool");
        awaitReady(PostgresRole.class, "pool-app");
        awaitReady(PostgresPooler.class, "pool-bouncer");
    }

    @Test
    void theAppRoleConnectsThroughThePoolerInTransactionMode() throws SQLException {
        PostgresPooler pooler = awaitReady(PostgresPooler.class, "pool-bouncer");
        assertEquals("1/1", pooler.getStatus().getInstances());
        assertEquals("pool-db-rw." + ns() + ".svc", pooler.getStatus().getServerHost());
        try (Connection c = PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", appPassword()));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user, current_database()")) {
            rs.next();
            assertEquals("pool_app", rs.getString(1));
            assertEquals("pool", rs.getString(2));
        }
        var pools = console("pool-bouncer").show("POOLS");
        assertTrue(pools.stream().anyMatch(r -> "pool_app".equals(r.get("user")) && "transaction".equals(r.get("pool_mode"))), pools.toString());
        Deployment d = client.apps().deployments().inNamespace(ns()).withName("pool-bouncer").get();
        assertEquals(List.of("/usr/sbin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini"), d.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand());
        assertNotNull(client.services().inNamespace(ns()).withName("pool-bouncer").get());
        // the role's connection Secret gains the pooler's keys (the pooler lists no roles: every role of the cluster)
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-host") != null);
        assertEquals("pool-bouncer." + ns() + ".svc", new String(GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-host")));
        assertEquals("5432", new String(GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-port")));
        String jdbc = new String(GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-jdbc-uri"));
        assertTrue(jdbc.startsWith("jdbc:postgresql://pool-bouncer." + ns() + ".svc:5432/pool?user=pool_app&") && jdbc.contains("prepareThreshold=0"), "transaction mode");
        assertTrue(jdbc.contains("&sslmode=verify-full&sslfactory="), jdbc.replaceAll("password=[^&]*", "password=..."));
        assertTrue(new String(GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-uri")).endsWith("/pool?sslmode=verify-full"));
        // PgBouncer serves the pooler's certificate (issued by the cluster's CA for its names) and refuses plaintext
        Secret tls = client.secrets().inNamespace(ns()).withName("pool-bouncer-tls").get();
        assertEquals("kubernetes.io/tls", tls.getType());
        assertEquals(GeneratedSecrets.value(client.secrets().inNamespace(ns()).withName("pool-db-server-tls").get(), "ca.crt"),
                GeneratedSecrets.value(tls, "ca.crt"), "clients verify it with the cluster's ca.crt");
        var a = addresses.resolve(ns(), "pool-bouncer", 5432);
        SQLException plain = assertThrows(SQLException.class, () -> PgConnections.open(new PgEndpoint(a.host(), a.port(), "pool", "pool_app",
                appPassword(), "disable")).close());
        assertTrue(plain.getMessage().contains("SSL required"), plain.getMessage());
        assertThrows(SQLException.class, () -> PgConnections.open(new PgEndpoint(a.host(), a.port(), "pool", "pool_app", appPassword(),
                "verify-full", new io.shopdb.operator.sql.ServerTrust(GeneratedSecrets.value(tls, "ca.crt"), "pool-db-rw." + ns() + ".svc"))).close(),
                "the pooler's certificate does not carry the cluster's names");
        assertEquals(null, GeneratedSecrets.read(client, ns(), "pool-app-connection", "pooler-ro-host"), "no pooler serves the replicas");
        assertEquals(null, GeneratedSecrets.read(client, ns(), "pool-owner-connection", "pooler-ro-host"));
    }

    @Test
    void aRotatedPasswordWorksThroughThePoolerWithoutARestart() throws SQLException {
        awaitReady(PostgresPooler.class, "pool-bouncer");
        Pod before = poolerPod("pool-bouncer");
        char[] old = appPassword();
        try (Connection c = PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", old))) {
            assertTrue(c.isValid(5));
        }
        client.resources(PostgresRole.class).inNamespace(ns()).withName("pool-app").edit(r -> {
            r.getSpec().setPasswordRotation("rotated-1");
            return r;
        });
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> !new String(appPassword()).equals(new String(old)));
        awaitReady(PostgresRole.class, "pool-app");
        char[] rotated = appPassword();
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> {
            try (Connection c = PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", rotated))) {
                return c.isValid(5);
            }
        });
        assertThrows(SQLException.class, () -> PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", old)).close(),
                "the old password no longer opens a session");
        Pod after = poolerPod("pool-bouncer");
        assertEquals(before.getMetadata().getUid(), after.getMetadata().getUid(), "the same PgBouncer pod");
        assertEquals(0, after.getStatus().getContainerStatuses().get(0).getRestartCount(), "not restarted");
    }

    @Test
    void twoHundredClientsShareTwentyServerConnections() throws Exception {
        awaitReady(PostgresPooler.class, "pool-bouncer");
        char[] password = appPassword();
        List<Connection> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(200);
        try {
            for (int i = 0; i < 200; i++) {
                clients.add(PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", password)));
            }
            List<Future<Integer>> results = new ArrayList<>();
            for (Connection c : clients) {
                results.add(pool.submit(() -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM pg_sleep(0.05)")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(1, f.get());
            }
            var pools = console("pool-bouncer").show("POOLS").stream().filter(r -> "pool_app".equals(r.get("user"))).toList();
            assertEquals(1, pools.size(), pools.toString());
            int clientsConnected = Integer.parseInt(pools.get(0).get("cl_active")) + Integer.parseInt(pools.get(0).get("cl_waiting"));
            int servers = Integer.parseInt(pools.get(0).get("sv_active")) + Integer.parseInt(pools.get(0).get("sv_idle"))
                    + Integer.parseInt(pools.get(0).get("sv_used")) + Integer.parseInt(pools.get(0).get("sv_tested"))
                    + Integer.parseInt(pools.get(0).get("sv_login"));
            assertTrue(clientsConnected >= 200, "200 clients are connected: " + pools);
            assertTrue(servers > 0 && servers <= 20, "at most the pool of 20 server connections: " + pools);
            // the operator's scrape shows the pool: clients connected, server connections, transactions
            Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
                Double c = Scrapes.sample(Scrapes.scrape(), "shopdb_pgbouncer_clients_active", "pooler=\"pool-bouncer\"", "user=\"pool_app\"");
                return c != null && c >= 200;
            });
            String body = Scrapes.scrape();
            assertEquals(1.0, Scrapes.sample(body, "shopdb_pgbouncer_up", "pooler=\"pool-bouncer\""));
            assertNotNull(Scrapes.sample(body, "shopdb_pgbouncer_server_connections", "pooler=\"pool-bouncer\"", "state=\"idle\""));
            assertTrue(Scrapes.sample(body, "shopdb_pgbouncer_transactions_total", "pooler=\"pool-bouncer\"", "database=\"pool\"") >= 200, body);
            try (Connection admin = PgConnections.open(endpoint("pool-db-rw", "postgres", "postgres", superuserPassword()));
                 Statement st = admin.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'pool_app'")) {
                rs.next();
                assertTrue(rs.getInt(1) <= 20, "the server sees at most 20 sessions of pool_app: " + rs.getInt(1));
            }
        } finally {
            pool.shutdownNow();
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aPoolerOnAMissingClusterWaitsAndABadParameterIsStalledByName() {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: pool-orphan}
                spec: {clusterRef: {name: no-such-cluster}}
                """, PostgresPooler.class));
        PostgresPooler waiting = awaitCondition(PostgresPooler.class, "pool-orphan", Conditions.RECONCILING, "WaitingForCluster");
        assertTrue(Conditions.find(waiting.getStatus(), Conditions.READY).getMessage().contains("no-such-cluster"));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: pool-bad}
                spec:
                  clusterRef: {name: pool-db}
                  parameters: {server_lifetime: "1h", no_such_setting: "1"}
                """, PostgresPooler.class));
        PostgresPooler stalled = awaitCondition(PostgresPooler.class, "pool-bad", Conditions.STALLED, "InvalidSpec");
        String message = Conditions.find(stalled.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.contains("spec.parameters.server_lifetime") && message.contains("seconds"), message);
        assertTrue(message.contains("spec.parameters.no_such_setting"), message);
        assertEquals(null, client.apps().deployments().inNamespace(ns()).withName("pool-bad").get(), "nothing is deployed");
    }

    @Test
    void deletingAPoolerLeavesTheClusterUntouched() throws SQLException {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: pool-temp}
                spec: {clusterRef: {name: pool-db}, poolMode: session}
                """, PostgresPooler.class));
        awaitReady(PostgresPooler.class, "pool-temp");
        PostgresCluster before = awaitReady(PostgresCluster.class, "pool-db");
        List<String> instancePods = client.pods().inNamespace(ns()).withLabel("shopdb.io/cluster", "pool-db").list().getItems().stream()
                .map(p -> p.getMetadata().getUid()).sorted().toList();
        client.resources(PostgresPooler.class).inNamespace(ns()).withName("pool-temp").delete();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.apps().deployments().inNamespace(ns()).withName("pool-temp").get() == null
                && client.services().inNamespace(ns()).withName("pool-temp").get() == null
                && client.secrets().inNamespace(ns()).withName("pool-temp-pgbouncer").get() == null
                && client.secrets().inNamespace(ns()).withName("pool-temp-tls").get() == null
                && client.pods().inNamespace(ns()).withLabel(PoolerObjects.POOLER_LABEL, "pool-temp").list().getItems().isEmpty());
        PostgresCluster after = awaitReady(PostgresCluster.class, "pool-db");
        assertEquals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration());
        assertEquals(before.getStatus().getTls().getSerial(), after.getStatus().getTls().getSerial(), "a pooler has its own certificate");
        assertEquals(instancePods, client.pods().inNamespace(ns()).withLabel("shopdb.io/cluster", "pool-db").list().getItems().stream()
                .map(p -> p.getMetadata().getUid()).sorted().toList(), "the instances were not restarted");
        assertNotNull(client.secrets().inNamespace(ns()).withName("pool-db-pooler-auth").get(), "the cluster's lookup credentials stay");
        try (Connection c = PgConnections.open(endpoint("pool-db-rw", "pool", "pool_app", appPassword()))) {
            assertTrue(c.isValid(5), "the app still connects directly");
        }
        try (Connection c = PgConnections.open(throughPooler("pool-bouncer", "pool", "pool_app", appPassword()))) {
            assertTrue(c.isValid(5), "and through the other pooler");
        }
    }

    /** TLS verified against the pooler's CA and Service name: PgBouncer refuses plaintext. */
    private PgEndpoint throughPooler(String pooler, String database, String user, char[] password) {
        return io.shopdb.operator.testing.PoolerClients.endpoint(client, addresses, ns(), pooler, database, user, password);
    }

    private PgBouncerConsole console(String pooler) {
        return io.shopdb.operator.testing.PoolerClients.console(client, addresses, ns(), pooler, 30);
    }

    private Pod poolerPod(String pooler) {
        List<Pod> pods = client.pods().inNamespace(ns()).withLabel(PoolerObjects.POOLER_LABEL, pooler).list().getItems();
        assertEquals(1, pods.size());
        return pods.get(0);
    }

    private char[] appPassword() {
        return GeneratedSecrets.read(client, ns(), "pool-app-connection", "password");
    }

    private char[] superuserPassword() {
        return GeneratedSecrets.read(client, ns(), "pool-db-superuser", "password");
    }
}
