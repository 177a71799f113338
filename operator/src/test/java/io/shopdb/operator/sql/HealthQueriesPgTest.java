package io.shopdb.operator.sql;

import io.shopdb.operator.testing.TestPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uses a server of its own: the snapshot reports at most 20 databases (the largest), and the shared test
 * server holds many more, so the databases made here would not be in it.
 */
class HealthQueriesPgTest {
    static TestPostgres pg;

    @org.junit.jupiter.api.BeforeAll
    static void start() {
        pg = TestPostgres.start();
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        pg.stop();
    }

    HealthSnapshot snapshot() throws SQLException {
        try (Connection c = pg.connect()) {
            return HealthQueries.read(c, pg::connect);
        }
    }

    static HealthSnapshot.Database db(HealthSnapshot s, String name) {
        return s.databases().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " in " + s.databases()));
    }

    @Test
    void readsServerWideFacts() throws SQLException {
        HealthSnapshot s = snapshot();
        assertTrue(s.serverVersion().startsWith("15"), s.serverVersion());
        assertFalse(s.inRecovery());
        assertEquals(200, s.maxConnections());
        assertTrue(s.connectionsByState().getOrDefault("active", 0L) >= 1, "the snapshot's own session is active: " + s.connectionsByState());
        HealthSnapshot.Database postgres = db(s, "postgres");
        assertTrue(postgres.sizeBytes() > 0);
        assertTrue(postgres.xidAge() > 0);
        assertTrue(postgres.cacheHitRatio() > 0 && postgres.cacheHitRatio() <= 1);
        assertTrue(s.replicas().isEmpty());
    }

    @Test
    void aCommittedRowMovesXactCommit() throws Exception {
        String name = SqlTestNames.unique("health_commit");
        pg.exec("postgres", "CREATE DATABASE " + name);
        pg.exec(name, "CREATE TABLE orders (id int primary key)");
        long before = db(snapshot(), name).xactCommit();
        pg.exec(name, "INSERT INTO orders VALUES (1)");
        // The server publishes a session's statistics when it goes idle (at most once a second in PG 15).
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> db(snapshot(), name).xactCommit() > before);
    }

    @Test
    void aProvokedDeadlockMovesTheDeadlocksCounter() throws Exception {
        String name = SqlTestNames.unique("health_deadlock");
        pg.exec("postgres", "CREATE DATABASE " + name);
        pg.exec(name, "CREATE TABLE stock (id int primary key, qty int)", "INSERT INTO stock VALUES (1, 10), (2, 10)");
        long before = db(snapshot(), name).deadlocks();
        try (Connection a = pg.connect(name); Connection b = pg.connect(name)) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            CountDownLatch bothLocked = new CountDownLatch(2);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> crossUpdate(a, 1, 2, bothLocked));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> crossUpdate(b, 2, 1, bothLocked));
            CompletableFuture.allOf(first, second).get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> db(snapshot(), name).deadlocks() > before);
    }

    /** Locks row {@code first}, waits until the other session holds its row, then wants the other's row. */
    private static void crossUpdate(Connection c, int first, int second, CountDownLatch bothLocked) {
        try (Statement st = c.createStatement()) {
            st.execute("UPDATE stock SET qty = qty - 1 WHERE id = " + first);
            bothLocked.countDown();
            bothLocked.await(10, TimeUnit.SECONDS);
            try {
                st.execute("UPDATE stock SET qty = qty - 1 WHERE id = " + second);
                c.commit();
            } catch (SQLException e) {
                // One of the two is chosen as the deadlock victim (SQLSTATE 40P01).
                assertEquals("40P01", e.getSQLState(), e.getMessage());
                c.rollback();
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void deadTuplesReportTheWorstTablesAcrossDatabasesBounded() throws Exception {
        String name = SqlTestNames.unique("health_dead");
        pg.exec("postgres", "CREATE DATABASE " + name);
        pg.exec(name, "CREATE TABLE carts (id int primary key) WITH (autovacuum_enabled = off)",
                "INSERT INTO carts SELECT generate_series(1, 5000)", "DELETE FROM carts");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> snapshot().worstTables().stream()
                .anyMatch(t -> t.database().equals(name) && t.table().equals("public.carts") && t.deadTuples() >= 5000));
        assertTrue(snapshot().worstTables().size() <= HealthQueries.WORST_TABLES);
    }

    @Test
    void anOpenTransactionShowsAsTheOldestTransactionAge() throws Exception {
        try (Connection open = pg.connect()) {
            open.setAutoCommit(false);
            try (Statement st = open.createStatement()) {
                st.execute("SELECT txid_current()");
            }
            // poll: the age grows with the clock; no sleep to guess when it has
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> snapshot().oldestTransactionAgeSeconds() >= 1.0);
            open.rollback();
        }
    }
}
