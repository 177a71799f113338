package io.shopdb.operator.pooler;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.sql.PgBouncerConsole;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.PoolerAuth;
import io.shopdb.operator.testing.LocalPgBouncer;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lookup role and function (sql/PoolerAuth) against a real PostgreSQL 15, and a real PgBouncer 1.18
 * (Debian's) running the configuration PgBouncerConfig writes, server TLS off because the test server has none.
 */
@ExtendWith(PostgresExtension.class)
class PgBouncerPgTest {
    private static final char[] AUTH_PASSWORD = "auth-password-123".toCharArray();
    private static final char[] ADMIN_PASSWORD = "admin-password-456".toCharArray();
    private LocalPgBouncer bouncer;

    @AfterEach
    void stopBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Test
    void lookupReturnsLoginRolesOnlyAndTheRoleCanDoNothingElse(TestPostgres pg) throws SQLException {
        pg.exec("postgres", "DROP ROLE IF EXISTS pool_app", "CREATE ROLE pool_app LOGIN PASSWORD 'app-pw-1'");
        try (Connection c = pg.connect()) {
            PoolerAuth.ensureRole(c, "pool_lookup", AUTH_PASSWORD);
            assertFalse(PoolerAuth.ensureRole(c, "pool_lookup", AUTH_PASSWORD), "steady state: no change");
            PoolerAuth.ensureFunction(c, "pool_lookup");
            assertFalse(PoolerAuth.ensureFunction(c, "pool_lookup"), "steady state: no DDL");
            assertTrue(PoolerAuth.databases(c).contains("template1"));
        }
        try (Connection c = PgConnections.open(pg.endpoint("postgres", "pool_lookup", AUTH_PASSWORD)); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT usename, passwd FROM shopdb_pooler.user_lookup('pool_app')")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(2).startsWith("SCRAM-SHA-256$"));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM shopdb_pooler.user_lookup('postgres') WHERE usename IS NOT NULL")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "a superuser is never returned");
            }
            assertThrows(SQLException.class, () -> st.executeQuery("SELECT rolpassword FROM pg_authid").close(), "no direct catalog access");
        }
        pg.exec("postgres", "CREATE OR REPLACE FUNCTION shopdb_pooler.user_lookup(i_username text, OUT usename name, OUT passwd text) "
                + "RETURNS record LANGUAGE sql SECURITY DEFINER AS $$ SELECT rolname, rolpassword FROM pg_authid WHERE rolname = i_username $$");
        try (Connection c = pg.connect()) {
            assertTrue(PoolerAuth.ensureFunction(c, "pool_lookup"), "an edited function is put back");
        }
    }

    @Test
    void transactionPoolingThroughPgBouncerWithAuthQuery(TestPostgres pg) throws Exception {
        pg.exec("postgres", "DROP ROLE IF EXISTS pool_app2", "CREATE ROLE pool_app2 LOGIN PASSWORD 'app-pw-1'");
        try (Connection c = pg.connect()) {
            PoolerAuth.ensureRole(c, "pool_lookup", AUTH_PASSWORD);
            PoolerAuth.ensureFunction(c, "pool_lookup");
        }
        int port = startBouncer(pg, Map.of());
        PgEndpoint app = new PgEndpoint("127.0.0.1", port, "postgres", "pool_app2", "app-pw-1".toCharArray(), "disable");
        try (Connection c = PgConnections.open(app); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            assertEquals("pool_app2", rs.getString(1));
        }
        pg.exec("postgres", "ALTER ROLE pool_app2 PASSWORD 'app-pw-2'");
        try (Connection c = PgConnections.open(new PgEndpoint("127.0.0.1", port, "postgres", "pool_app2", "app-pw-2".toCharArray(), "disable"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next(), "the rotated password works at once");
        }
        assertThrows(SQLException.class, () -> PgConnections.open(app).close(), "the old one no longer does");
        PgBouncerConsole console = new PgBouncerConsole("127.0.0.1", port, "pool_admin", ADMIN_PASSWORD, 10);
        var pools = console.show("POOLS");
        assertTrue(pools.stream().anyMatch(r -> "pool_app2".equals(r.get("user")) && "transaction".equals(r.get("pool_mode"))), pools.toString());
        console.pause();
        console.resume();
        assertThrows(SQLException.class, () -> new PgBouncerConsole("127.0.0.1", port, "pool_admin", "wrong".toCharArray(), 10).show("POOLS"));
    }

    private int startBouncer(TestPostgres pg, Map<String, String> parameters) throws IOException, InterruptedException {
        PostgresPoolerSpec spec = new PostgresPoolerSpec();
        spec.setParameters(new java.util.TreeMap<>(parameters));
        bouncer = LocalPgBouncer.start(pg, spec,
                new PgBouncerConfig.Credentials("pool_lookup", new String(AUTH_PASSWORD), "pool_admin", new String(ADMIN_PASSWORD)));
        return bouncer.port();
    }
}
