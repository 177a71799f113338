package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.OperatorTestBase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A planned switchover seen by a client of the pooler: the operator PAUSEs PgBouncer before fencing the
 * primary and RESUMEs it on the new one, so a writer that commits one row per transaction through the pooler
 * sees no error, only a delay, and every acknowledged row is on the new primary. Slow (a two-instance cluster
 * and a switchover): in the slow profile.
 */
@QuarkusTest
class PoolerSwitchoverSlowTest extends OperatorTestBase {
    @jakarta.inject.Inject io.shopdb.operator.sandbox.LocalKubelet kubelet;

    @Test
    void aSwitchoverIsADelayNotAnErrorThroughThePooler() throws Exception {
        pooledCluster("psw");
        PostgresCluster before = awaitReady(PostgresCluster.class, "psw-db");
        String from = before.getStatus().getCurrentPrimary() == null ? "psw-db-0" : before.getStatus().getCurrentPrimary();
        String to = from.equals("psw-db-0") ? "psw-db-1" : "psw-db-0";
        char[] password = GeneratedSecrets.read(client, ns(), "psw-owner-connection", "password");
        PgEndpoint pooler = io.shopdb.operator.testing.PoolerClients.endpoint(client, addresses, ns(), "psw-bouncer", "psw", "psw_owner", password);
        try (Connection c = PgConnections.open(pooler); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int PRIMARY KEY)");
        }

        List<Integer> acknowledged = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong slowestMillis = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection c = PgConnections.open(pooler)) {
                for (int id = 1; running.get(); id++) {
                    long t0 = System.nanoTime();
                    try (Statement st = c.createStatement()) {
                        st.execute("INSERT INTO orders VALUES (" + id + ")");
                        acknowledged.add(id);
                    } catch (SQLException e) {
                        errors.add(e.getMessage());
                    }
                    slowestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                }
            } catch (SQLException e) {
                errors.add("connect: " + e.getMessage());
            }
        });
        writer.start();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> acknowledged.size() > 50);
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("psw-db").edit(c -> { c.getSpec().setPrimary(to); return c; });
        await(PostgresCluster.class, "psw-db", c -> c.getStatus() != null && to.equals(c.getStatus().getCurrentPrimary()));
        int atSwitch = acknowledged.size();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> acknowledged.size() > atSwitch + 50 || !errors.isEmpty());
        running.set(false);
        writer.join();
        System.out.printf("pooler switchover: %d commits, slowest statement %d ms (the client-visible pause)%n",
                acknowledged.size(), slowestMillis.get());
        assertEquals(List.of(), errors, "the client saw no error, only a delay");
        Set<Integer> stored = new HashSet<>();
        try (Connection c = PgConnections.open(pooler); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                stored.add(rs.getInt(1));
            }
        }
        List<Integer> missing = new ArrayList<>(acknowledged);
        missing.removeAll(stored);
        assertEquals(List.of(), missing, "every acknowledged commit is on the new primary");
        List<String> reasons = client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .filter(e -> e.getRegarding() != null && "psw-bouncer".equals(e.getRegarding().getName())).map(Event::getReason).toList();
        assertTrue(reasons.contains("Paused") && reasons.contains("Resumed"), reasons.toString());
    }

    /**
     * A failover (the primary's node lost) tells every PgBouncer pod to RECONNECT: server connections it opened to
     * the former primary are closed as they are released and reopened through -rw, so writes through the pooler go
     * to the promoted primary.
     */
    @Test
    void aFailoverReconnectsThePoolersServerConnectionsToTheNewPrimary() throws Exception {
        pooledCluster("pfo");
        String from = awaitReady(PostgresCluster.class, "pfo-db").getStatus().getCurrentPrimary();
        char[] password = GeneratedSecrets.read(client, ns(), "pfo-owner-connection", "password");
        PgEndpoint pooler = io.shopdb.operator.testing.PoolerClients.endpoint(client, addresses, ns(), "pfo-bouncer", "pfo", "pfo_owner", password);
        try (Connection c = PgConnections.open(pooler); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            st.execute("INSERT INTO orders VALUES (1)");
        }
        kubelet.loseNode(ns(), from);
        String to = await(PostgresCluster.class, "pfo-db", c -> c.getStatus() != null && !from.equals(c.getStatus().getCurrentPrimary())
                && c.getStatus().getFailovers() != null).getStatus().getCurrentPrimary();
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> e.getRegarding() != null && "pfo-bouncer".equals(e.getRegarding().getName()) && "Reconnected".equals(e.getReason())));
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> {
            try (Connection c = PgConnections.open(pooler); Statement st = c.createStatement()) {
                st.execute("INSERT INTO orders VALUES (2)");
            }
            return true;
        });
        try (Connection c = PgConnections.open(pooler); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), count(*) FROM orders")) {
            rs.next();
            assertTrue(!rs.getBoolean(1), "the pooler writes to a primary (" + to + ")");
            assertEquals(2, rs.getInt(2));
        }
        kubelet.restoreNode(ns(), from);
    }

    /**
     * A two-instance cluster {prefix}-db, its owner {prefix}_owner, the database {prefix} and the PostgresPooler
     * {prefix}-bouncer, all Ready.
     */
    private void pooledCluster(String prefix) {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %1$s-db}
                spec: {instances: 2}
                """.formatted(prefix), PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: %1$s-owner}
                spec: {clusterRef: {name: %1$s-db}, name: %1$s_owner, connectionDatabase: %1$s}
                """.formatted(prefix), PostgresRole.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: %1$s}
                spec: {clusterRef: {name: %1$s-db}, owner: %1$s_owner}
                """.formatted(prefix), PostgresDatabase.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: %1$s-bouncer}
                spec: {clusterRef: {name: %1$s-db}}
                """.formatted(prefix), PostgresPooler.class));
        awaitReady(PostgresDatabase.class, prefix);
        awaitReady(PostgresRole.class, prefix + "-owner");
        awaitReady(PostgresPooler.class, prefix + "-bouncer");
    }
}
