package io.shopdb.operator.upgrade;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A major upgrade with the shop open: a PostgreSQL 15 cluster with an owner, a partitioned orders table, a sequence
 * and rows; a PostgreSQL 16 cluster (the sandbox's second major) as the target; a writer inserting orders through the
 * source's -rw Service throughout, verifying the server's certificate against the source's CA by the Service's name.
 * After the cutover: the -rw Service serves 16, every acknowledged order is there, the sequence goes on without a
 * duplicate key, the tables compared equal, the source refuses writes, and a role declared on the old cluster's name
 * is created on the new one.
 */
@QuarkusTest
class MajorUpgradeSlowTest extends OperatorTestBase {

    @Test
    void aClusterMovesToTheNextMajorWhileAWriterKeepsWritingAndNothingIsLost() throws Exception {
        create(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("mu-owner-password").endMetadata()
                .addToStringData("password", "owner-pass-1234").build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: mu-db}
                spec: {instances: 1}
                """, PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: mu-owner}
                spec: {clusterRef: {name: mu-db}, name: mu_owner, login: true, passwordSecretRef: {name: mu-owner-password}}
                """, PostgresRole.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: mu}
                spec: {clusterRef: {name: mu-db}, owner: mu_owner}
                """, io.shopdb.operator.api.v1alpha1.PostgresDatabase.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: mu-db16}
                spec: {instances: 1, postgresVersion: "16", tls: {caSecretName: mu-db-ca}}
                """, PostgresCluster.class));
        awaitReady(io.shopdb.operator.api.v1alpha1.PostgresDatabase.class, "mu");
        awaitReady(PostgresRole.class, "mu-owner");
        awaitReady(PostgresCluster.class, "mu-db16");
        assertTrue(valueOn("mu-db16", "SHOW server_version").startsWith("16."), "the target runs PostgreSQL 16");

        try (Connection c = owner(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE)");
            st.execute("CREATE TABLE orders (id bigserial, placed date NOT NULL, customer bigint NOT NULL, total numeric(10,2),"
                    + " PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed)");
            st.execute("CREATE TABLE orders_2026_11 PARTITION OF orders FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')");
            st.execute("CREATE TABLE orders_2026_12 PARTITION OF orders FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')");
            st.execute("INSERT INTO customers (email) SELECT 'c' || g || '@shop.test' FROM generate_series(1, 500) g");
            st.execute("INSERT INTO orders (placed, customer, total) SELECT DATE '2026-11-01' + (g % 60), 1 + g % 500, g * 1.25"
                    + " FROM generate_series(1, 2000) g");
        }

        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>(); // {order id, ack time millis}
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        Thread writer = new Thread(() -> write(writing, acknowledged, errors), "mu-writer");
        writer.start();

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMajorUpgrade
                metadata: {name: mu-to-16}
                spec: {source: {name: mu-db}, target: {name: mu-db16}}
                """, PostgresMajorUpgrade.class));
        PostgresMajorUpgrade done = awaitCondition(PostgresMajorUpgrade.class, "mu-to-16", "Ready", "Completed");
        Thread.sleep(1500); // the writer goes on against the new major
        writing.set(false);
        writer.join(30_000);

        var s = done.getStatus();
        assertTrue(s.getSourceVersion().startsWith("15.") && s.getTargetVersion().startsWith("16."), s.getSourceVersion() + " → " + s.getTargetVersion());
        assertEquals(List.of(), s.getMismatches());
        assertTrue(s.getTablesCompared() >= 2, "customers and orders compared: " + s.getTablesCompared());
        assertTrue(s.getSequencesCopied() >= 2, "the identity and the bigserial: " + s.getSequencesCopied());
        assertTrue(s.getRolesCopied() >= 1, "mu_owner copied");
        assertNotNull(s.getWritePause());
        assertEquals(1, s.getDatabases().size(), "one database besides postgres: " + s.getDatabases().size());

        try (Connection c = owner(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            assertTrue(rs.getString(1).startsWith("16."), "mu-db-rw leads to PostgreSQL 16 now: " + rs.getString(1));
        }
        Instant cutover = Instant.parse(s.getCutoverAt());
        assertTrue(acknowledged.stream().anyMatch(a -> a[1] < cutover.toEpochMilli()), "orders written before the cutover");
        assertTrue(acknowledged.stream().anyMatch(a -> a[1] > cutover.toEpochMilli()), "orders written after the cutover: " + errors);
        try (Connection c = owner(); Statement st = c.createStatement()) {
            StringBuilder ids = new StringBuilder();
            acknowledged.forEach(a -> ids.append(ids.isEmpty() ? "" : ",").append(a[0]));
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE id IN (" + ids + ")")) {
                rs.next();
                assertEquals(acknowledged.size(), rs.getInt(1), "every acknowledged order is on the new major");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE total <> 9.99")) {
                rs.next();
                assertEquals(2000, rs.getInt(1), "the rows copied at the start");
            }
            st.execute("INSERT INTO customers (email) VALUES ('after@shop.test')"); // the identity went on: no duplicate key
        }
        try (Connection c = PgConnections.open(podEndpoint("mu-db-0"), 2, 30); Statement st = c.createStatement()) {
            st.execute("INSERT INTO orders (placed, customer, total) VALUES ('2026-12-06', 1, 1)");
            fail("the old primary took a write");
        } catch (SQLException e) {
            assertEquals("25006", e.getSQLState(), e.getMessage());
        }
        await(PostgresCluster.class, "mu-db", c -> "mu-db16".equals(c.getStatus().getUpgradedTo()));

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: mu-reporting}
                spec: {clusterRef: {name: mu-db}, name: mu_reporting}
                """, PostgresRole.class));
        awaitReady(PostgresRole.class, "mu-reporting");
        assertEquals("1", valueOn("mu-db16", "SELECT count(*) FROM pg_roles WHERE rolname = 'mu_reporting'"),
                "a role declared on the old cluster's name is made on the new cluster");

        // the new major has proven itself: the old instances stop, the old name keeps leading to the new cluster
        editCluster("mu-db", c -> c.getSpec().setHibernate(true));
        await(PostgresCluster.class, "mu-db", c -> "Hibernated".equals(c.getStatus().getPhase()));
        try (Connection c = owner(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            assertTrue(rs.getLong(1) > 2000, "mu-db-rw still serves the shop from PostgreSQL 16");
        }
    }

    /**
     * A table without a key would make UPDATE and DELETE fail on the live source once published: the upgrade refuses to
     * start and names it, and starts once it has a replica identity. With spec.cutover Manual it then follows the source
     * in ReadyForCutover; deleted there, it leaves no replication slot or publication on the source (they keep WAL) and
     * no subscription on the target, and the source takes writes as before.
     */
    @Test
    void anUpgradeRefusesATableWithoutAKeyAndOneDeletedBeforeItsCutoverLeavesNothingBehind() throws Exception {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: md-db}
                spec: {instances: 1}
                """, PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: md-db16}
                spec: {instances: 1, postgresVersion: "16", tls: {caSecretName: md-db-ca}}
                """, PostgresCluster.class));
        awaitReady(PostgresCluster.class, "md-db");
        awaitReady(PostgresCluster.class, "md-db16");
        sqlOn("md-db", "CREATE DATABASE md");
        try (Connection c = PgConnections.open(endpoint("md-db-rw", "md", "postgres", ClusterCredentials.read(client, ns(), "md-db-superuser", "password")));
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE keyed (id int PRIMARY KEY, note text)");
            st.execute("CREATE TABLE unkeyed (note text)");
            st.execute("INSERT INTO keyed SELECT g, 'n' || g FROM generate_series(1, 100) g");
        }
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMajorUpgrade
                metadata: {name: md-to-16}
                spec: {source: {name: md-db}, target: {name: md-db16}, cutover: Manual}
                """, PostgresMajorUpgrade.class));
        PostgresMajorUpgrade refused = awaitCondition(PostgresMajorUpgrade.class, "md-to-16", "Stalled", "CannotReplicate");
        String message = io.shopdb.operator.status.Conditions.find(refused.getStatus(), "Stalled").getMessage();
        assertTrue(message.contains("tables of md without a primary key or replica identity") && message.contains("public.unkeyed")
                && !message.contains("public.keyed"), message);
        assertEquals("0", valueOn("md-db", "SELECT count(*) FROM pg_replication_slots"), "nothing started");

        try (Connection c = PgConnections.open(endpoint("md-db-rw", "md", "postgres", ClusterCredentials.read(client, ns(), "md-db-superuser", "password")));
             Statement st = c.createStatement()) {
            st.execute("ALTER TABLE unkeyed REPLICA IDENTITY FULL");
        }
        await(PostgresMajorUpgrade.class, "md-to-16", u -> "ReadyForCutover".equals(u.getStatus().getPhase()));
        assertEquals("1", valueOn("md-db", "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'shopdb_upgrade_%'"));
        assertEquals("15", valueOn("md-db", "SELECT current_setting('server_version_num')::int / 10000"), "no cutover without Automatic");

        client.resources(PostgresMajorUpgrade.class).inNamespace(ns()).withName("md-to-16").delete();
        org.awaitility.Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                client.resources(PostgresMajorUpgrade.class).inNamespace(ns()).withName("md-to-16").get() == null);
        assertEquals("0", valueOn("md-db", "SELECT count(*) FROM pg_replication_slots"), "the slot went with the upgrade");
        try (Connection c = PgConnections.open(endpoint("md-db-rw", "md", "postgres", ClusterCredentials.read(client, ns(), "md-db-superuser", "password")));
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_publication")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the publication went too");
            }
            st.execute("INSERT INTO keyed VALUES (101, 'still writable')");
        }
        try (Connection c = PgConnections.open(endpoint("md-db16-rw", "md", "postgres", ClusterCredentials.read(client, ns(), "md-db16-superuser", "password")));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_subscription")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no subscription left on the target");
        }
        assertEquals("logical", valueOn("md-db", "SHOW wal_level"), "the source keeps wal_level logical (no second restart)");
    }

    /** Orders through mu-db-rw as the owner, verifying the server as a client of the source does; errors are retried. */
    private void write(AtomicBoolean writing, ConcurrentLinkedQueue<long[]> acknowledged, ConcurrentLinkedQueue<String> errors) {
        while (writing.get()) {
            try (Connection c = owner(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO orders (placed, customer, total) VALUES ('2026-12-06', 7, 9.99) RETURNING id")) {
                while (writing.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        acknowledged.add(new long[]{rs.getLong(1), System.currentTimeMillis()});
                    }
                    Thread.sleep(5);
                }
            } catch (SQLException | RuntimeException e) { // a restart: no endpoint for a moment
                errors.add((e instanceof SQLException q ? q.getSQLState() + " " : "") + e.getMessage());
                sleep();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** mu_owner on database mu through mu-db-rw, the certificate verified against mu-db's CA by the name mu-db-rw. */
    private Connection owner() throws SQLException {
        var a = addresses.resolve(ns(), "mu-db-rw", 5432);
        String ca = ClusterTls.caPem(client, client.resources(PostgresCluster.class).inNamespace(ns()).withName("mu-db").get());
        return PgConnections.open(new PgEndpoint(a.host(), a.port(), "mu", "mu_owner", "owner-pass-1234".toCharArray(), "verify-full",
                new ServerTrust(ca, "mu-db-rw." + ns() + ".svc")), 2, 10);
    }

    private PgEndpoint podEndpoint(String pod) {
        var a = addresses.resolve(ns(), pod + ".mu-db-headless", 5432);
        char[] password = ClusterCredentials.read(client, ns(), "mu-db-superuser", "password");
        return new PgEndpoint(a.host(), a.port(), "mu", "postgres", password, "require");
    }
}
