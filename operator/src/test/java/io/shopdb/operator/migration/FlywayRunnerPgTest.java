package io.shopdb.operator.migration;

import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class FlywayRunnerPgTest {
    static final Script V1 = new Script("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);");
    static final Script V2 = new Script("V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);");
    static final Script R_VIEW = new Script("R__customer_count.sql", "CREATE OR REPLACE VIEW customer_count AS SELECT count(*) AS n FROM customers;");

    static FlywayRunner.Settings settings(String runAs) {
        return new FlywayRunner.Settings(List.of("app"), runAs, Map.of(), null, false, false, true, false, 10);
    }

    static PgEndpoint freshDatabase(TestPostgres pg, String name) throws SQLException {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name);
        return pg.superuser().withDatabase(name);
    }

    @Test
    void appliesThenReappliesNothingThenAddsAVersion(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_apply");
        var first = FlywayRunner.migrate(db, List.of(V1, R_VIEW), settings(null));
        assertNull(first.failure(), String.valueOf(first.failure()));
        assertEquals("1", first.currentVersion());
        assertEquals(0, first.pending());

        var again = FlywayRunner.migrate(db, List.of(V1, R_VIEW), settings(null));
        assertEquals(0, again.executed(), "re-apply is a no-op");

        var second = FlywayRunner.migrate(db, List.of(V1, V2, R_VIEW), settings(null));
        assertEquals("2", second.currentVersion());
        assertEquals(1, second.executed());
        assertEquals(List.of("1", "2"), second.applied().stream().map(FlywayRunner.Applied::version).filter(v -> v != null).toList());
        assertTrue(second.applied().stream().filter(a -> a.script().endsWith(".sql")).allMatch(a -> a.checksum() != null && a.installedOn() != null));
    }

    @Test
    void aFailingScriptLeavesTheSchemaAsItWasAndSaysWhere(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_fail");
        FlywayRunner.migrate(db, List.of(V1), settings(null));
        Script broken = new Script("V2__broken.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numerik;\n");
        var report = FlywayRunner.migrate(db, List.of(V1, broken), settings(null));
        assertNotNull(report.failure());
        assertEquals("V2__broken.sql", report.failure().script());
        assertEquals("42704", report.failure().sqlState(), report.failure().toString());
        assertTrue(report.failure().message().contains("numerik"), report.failure().message());
        assertEquals(2, report.failure().line());
        assertEquals("1", report.currentVersion());
        assertEquals(1, report.pending(), "the broken script is still pending");
        assertFalse(tableExists(pg, "fw_fail", "app.orders"), "the first statement of the failed script was rolled back too");

        Script fixed = new Script("V2__broken.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric;\n");
        var after = FlywayRunner.migrate(db, List.of(V1, fixed), settings(null));
        assertNull(after.failure());
        assertEquals("2", after.currentVersion());
    }

    @Test
    void anEditedAppliedScriptIsAChecksumMismatch(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_checksum");
        FlywayRunner.migrate(db, List.of(V1), settings(null));
        Script edited = new Script("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text);");
        var report = FlywayRunner.migrate(db, List.of(edited, V2), settings(null));
        assertNotNull(report.failure());
        assertTrue(report.failure().checksumMismatch(), report.failure().toString());
        assertFalse(tableExists(pg, "fw_checksum", "app.orders"), "nothing newer ran");
    }

    @Test
    void anExistingDatabaseIsAdoptedWithABaseline(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_baseline");
        pg.exec("fw_baseline", "CREATE SCHEMA app", "CREATE TABLE app.customers (id bigint PRIMARY KEY, email text)");
        var s = new FlywayRunner.Settings(List.of("app"), null, Map.of(), "1", true, false, true, false, 10);
        var report = FlywayRunner.migrate(db, List.of(V1, V2), s);
        assertNull(report.failure(), String.valueOf(report.failure()));
        assertEquals("2", report.currentVersion(), "V1 is the baseline, only V2 ran");
        assertEquals(1, report.executed());
    }

    @Test
    void objectsBelongToTheRunAsRole(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_owner");
        pg.exec("postgres", "DROP ROLE IF EXISTS fw_owner_role", "CREATE ROLE fw_owner_role");
        pg.exec("fw_owner", "GRANT CREATE ON DATABASE fw_owner TO fw_owner_role");
        var report = FlywayRunner.migrate(db, List.of(V1), settings("fw_owner_role"));
        assertNull(report.failure(), String.valueOf(report.failure()));
        try (Connection c = pg.connect("fw_owner"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'customers'")) {
            rs.next();
            assertEquals("fw_owner_role", rs.getString(1));
        }
    }

    @Test
    void concurrentRunsAreSerialized(TestPostgres pg) throws Exception {
        PgEndpoint db = freshDatabase(pg, "fw_concurrent");
        Script slow = new Script("V1__slow.sql", "SELECT pg_sleep(1);\nCREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<FlywayRunner.Report>> runs = List.of(
                    () -> FlywayRunner.migrate(db, List.of(slow, V2), settings(null)),
                    () -> FlywayRunner.migrate(db, List.of(slow, V2), settings(null)));
            List<FlywayRunner.Report> reports = new ArrayList<>();
            for (Future<FlywayRunner.Report> f : pool.invokeAll(runs)) {
                reports.add(f.get());
            }
            assertTrue(reports.stream().allMatch(r -> r.failure() == null), reports.toString());
            assertEquals(2, reports.stream().mapToInt(FlywayRunner.Report::executed).sum(), "each script ran exactly once in total");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConcurrentIndexBuildDoesNotWaitForFlywaysOwnLock(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_cic");
        // a lock wait fails after 10 s instead of hanging the test (with Flyway's transactional lock it hung for ever:
        // CREATE INDEX CONCURRENTLY waits for every open transaction, the lock's own included; flyway#3854)
        pg.exec("postgres", "ALTER DATABASE fw_cic SET lock_timeout = '10s'");
        Script index = new Script("V3__orders_by_customer.sql", "CREATE INDEX CONCURRENTLY orders_by_customer ON orders (customer_id);");
        var report = FlywayRunner.migrate(db, List.of(V1, V2, index), settings(null));
        assertNull(report.failure(), String.valueOf(report.failure()));
        assertEquals("3", report.currentVersion());
        try (Connection c = pg.connect("fw_cic"); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.orders_by_customer'::regclass")) {
            assertTrue(rs.next() && rs.getBoolean(1), "a valid index");
        }
    }

    @Test
    void aFailedScriptOutsideATransactionIsRecordedAndForgottenOnlyWhenAsked(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_nontx");
        Script broken = new Script("V3__index.sql", "CREATE INDEX CONCURRENTLY orders_by_customer ON orders (no_such_column);");
        var failed = FlywayRunner.migrate(db, List.of(V1, V2, broken), settings(null));
        assertNotNull(failed.failure());
        assertEquals(Boolean.FALSE, failed.failure().inTransaction(), "CONCURRENTLY ran outside a transaction");
        assertTrue(failed.applied().stream().anyMatch(a -> "3".equals(a.version()) && "Failed".equals(a.state())), failed.applied().toString());

        Script fixed = new Script("V3__index.sql", "CREATE INDEX CONCURRENTLY orders_by_customer ON orders (customer_id);");
        var refused = FlywayRunner.migrate(db, List.of(V1, V2, fixed), settings(null));
        assertNotNull(refused.failure(), "Flyway refuses to run past its failed row");
        var again = FlywayRunner.migrate(db, List.of(V1, V2, fixed), settings(null), true);
        assertNull(again.failure(), String.valueOf(again.failure()));
        assertEquals("3", again.currentVersion());
        assertTrue(again.applied().stream().allMatch(a -> "Success".equals(a.state())), again.applied().toString());
    }

    @Test
    void aSchemaFlywayRefusesIsNotServerTrouble(TestPostgres pg) throws SQLException {
        PgEndpoint db = freshDatabase(pg, "fw_refused");
        pg.exec("fw_refused", "CREATE SCHEMA app", "CREATE TABLE app.legacy (id int)");
        var report = FlywayRunner.migrate(db, List.of(V1), settings(null));
        assertNotNull(report.failure());
        assertNull(report.failure().script());
        assertTrue(report.failure().message().contains("non-empty schema"), report.failure().message());
        assertFalse(report.failure().serverTrouble(), "a person must baseline it; retrying as if the server were down never ends");
    }

    @Test
    void serverTroubleIsToldByTheSqlStateOrTheConnection() {
        assertTrue(FlywayRunner.serverTrouble(new org.flywaydb.core.api.FlywayException("Unable to restore connection to its original state",
                new SQLException("Connection is closed", "08003"))));
        assertTrue(FlywayRunner.serverTrouble(new org.flywaydb.core.api.FlywayException("x", new SQLException("FATAL: terminating connection", "57P01"))));
        assertTrue(FlywayRunner.serverTrouble(new org.flywaydb.core.api.FlywayException(
                "Number of retries exceeded while attempting to acquire PostgreSQL advisory lock")));
        assertFalse(FlywayRunner.serverTrouble(new org.flywaydb.core.api.FlywayException("x", new SQLException("syntax error", "42601"))));
        assertFalse(FlywayRunner.serverTrouble(new org.flywaydb.core.api.FlywayException(
                "Validate failed: Detected failed migration to version 3 (index)")));
    }

    private static boolean tableExists(TestPostgres pg, String database, String table) throws SQLException {
        try (Connection c = pg.connect(database); var ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
