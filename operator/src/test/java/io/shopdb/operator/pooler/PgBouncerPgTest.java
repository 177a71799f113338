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
 * (Debian's) running the configuration PgBouncerConfig writes, server TLS off because the test server has none;
 * client TLS on, with a certificate for the names of a pooler {@code pool} in namespace {@code test}, dialled at
 * 127.0.0.1 and verified against those names (as the sandbox does).
 */
@ExtendWith(PostgresExtension.class)
class PgBouncerPgTest {
    private static final char[] AUTH_PASSWORD = "auth-password-123".toCharArray();
    private static final char[] ADMIN_PASSWORD = "admin-password-456".toCharArray();
    /** A name of the pooler's certificate: its Service (LocalPgBouncer.NAMES), and one pod's under the headless Service. */
    private static final String SERVICE = "pool.test.svc";
    private static final String POD = "pool-7d9f-x2x4q.pool-pods.test.svc";
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
        PgEndpoint app = verified(port, "pool_app2", "app-pw-1");
        try (Connection c = PgConnections.open(app); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            assertEquals("pool_app2", rs.getString(1));
        }
        pg.exec("postgres", "ALTER ROLE pool_app2 PASSWORD 'app-pw-2'");
        try (Connection c = PgConnections.open(verified(port, "pool_app2", "app-pw-2"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next(), "the rotated password works at once");
        }
        assertThrows(SQLException.class, () -> PgConnections.open(app).close(), "the old one no longer does");
        PgBouncerConsole console = new PgBouncerConsole("127.0.0.1", port, "pool_admin", ADMIN_PASSWORD, 10, LocalPgBouncer.trust(POD));
        var pools = console.show("POOLS");
        assertTrue(pools.stream().anyMatch(r -> "pool_app2".equals(r.get("user")) && "transaction".equals(r.get("pool_mode"))), pools.toString());
        console.pause();
        console.resume();
        assertThrows(SQLException.class, () -> new PgBouncerConsole("127.0.0.1", port, "pool_admin", "wrong".toCharArray(), 10,
                LocalPgBouncer.trust(POD)).show("POOLS"));
    }

    /**
     * PgBouncer serves TLS with the pooler's certificate and refuses plaintext; the connection Secret's pooler keys,
     * as written, verify it (verify-full, CA inline in the JDBC URL; the libpq URI with ca.crt as sslrootcert), and
     * refuse a pooler whose certificate does not carry the name asked for. The console is verified the same way.
     */
    @Test
    void clientsReachThePoolerOverVerifiedTlsOnly(TestPostgres pg) throws Exception {
        pg.exec("postgres", "DROP ROLE IF EXISTS pool_tls", "CREATE ROLE pool_tls LOGIN PASSWORD 'tls-pw-1'");
        try (Connection c = pg.connect()) {
            PoolerAuth.ensureRole(c, "pool_lookup", AUTH_PASSWORD);
            PoolerAuth.ensureFunction(c, "pool_lookup");
        }
        int port = startBouncer(pg, Map.of());

        SQLException plain = assertThrows(SQLException.class, () -> PgConnections.open(
                new PgEndpoint("127.0.0.1", port, "postgres", "pool_tls", "tls-pw-1".toCharArray(), "disable")).close(), "plaintext is refused");
        assertTrue(plain.getMessage().contains("SSL required"), plain.getMessage());

        var role = new io.shopdb.operator.api.v1alpha1.PostgresRole();
        role.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("pool-tls").withNamespace("test").build());
        var secret = io.shopdb.operator.role.ConnectionSecrets.build(role, "db-rw.test.svc", "5432", "postgres", "pool_tls",
                "tls-pw-1".toCharArray(), Map.of(), "verify-full", LocalPgBouncer.CA.certificatePem(),
                java.util.List.of(new io.shopdb.operator.role.ConnectionSecrets.Pooler("pooler-", SERVICE, 5432, true)));
        String jdbc = io.shopdb.operator.kube.GeneratedSecrets.value(secret, "pooler-jdbc-uri");
        try (Connection c = connectAsWritten(jdbc, port, SERVICE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            assertEquals("pool_tls", rs.getString(1), "the JDBC URL as written logs in through TLS, verifying the pooler");
        }
        assertThrows(SQLException.class, () -> connectAsWritten(jdbc, port, "other.test.svc").close(),
                "a certificate without the name asked for is refused");

        // libpq: the URI as written, the Secret's ca.crt as sslrootcert, the name resolved to 127.0.0.1 (hostaddr)
        java.nio.file.Path ca = java.nio.file.Files.createTempFile("pooler-ca", ".crt");
        try {
            java.nio.file.Files.writeString(ca, io.shopdb.operator.kube.GeneratedSecrets.value(secret, "ca.crt"));
            String uri = io.shopdb.operator.kube.GeneratedSecrets.value(secret, "pooler-uri");
            assertTrue(uri.endsWith("@" + SERVICE + ":5432/postgres?sslmode=verify-full"), uri);
            String dialled = uri.replace(":5432/", ":" + port + "/") + "&hostaddr=127.0.0.1&sslrootcert=" + ca;
            Process psql = new ProcessBuilder("psql", "--no-psqlrc", "-At", "-c", "SELECT current_user", dialled)
                    .redirectErrorStream(true).start();
            String out = new String(psql.getInputStream().readAllBytes()).strip();
            assertEquals(0, psql.waitFor(), out);
            assertEquals("pool_tls", out);
        } finally {
            java.nio.file.Files.deleteIfExists(ca);
        }

        assertThrows(SQLException.class, () -> new PgBouncerConsole("127.0.0.1", port, "pool_admin", ADMIN_PASSWORD, 10,
                LocalPgBouncer.trust("other.test.svc")).show("POOLS"), "the console verifies the pod's name too");
        assertTrue(new PgBouncerConsole("127.0.0.1", port, "pool_admin", ADMIN_PASSWORD, 10, LocalPgBouncer.trust(POD))
                .show("POOLS").size() > 0, bouncer.log());
    }

    /** The JDBC URL of a connection Secret, dialled at 127.0.0.1:{@code port}, the certificate checked against {@code name}. */
    private static Connection connectAsWritten(String jdbc, int port, String name) throws SQLException {
        java.net.URI uri = java.net.URI.create(jdbc.substring("jdbc:".length()));
        String dialled = jdbc.replace(uri.getHost() + ":" + uri.getPort(), "127.0.0.1:" + port);
        java.util.Properties props = new java.util.Properties();
        props.setProperty("sslhostnameverifier", io.shopdb.operator.sql.ServerNameVerifier.class.getName());
        props.setProperty(io.shopdb.operator.sql.ServerTrust.SERVER_NAME_PROPERTY, name);
        Connection c = new org.postgresql.Driver().connect(dialled, props);
        assertTrue(c != null, dialled);
        return c;
    }

    private static PgEndpoint verified(int port, String user, String password) {
        return new PgEndpoint("127.0.0.1", port, "postgres", user, password.toCharArray(), "verify-full", LocalPgBouncer.trust(SERVICE));
    }

    private int startBouncer(TestPostgres pg, Map<String, String> parameters) throws IOException, InterruptedException {
        PostgresPoolerSpec spec = new PostgresPoolerSpec();
        spec.setParameters(new java.util.TreeMap<>(parameters));
        bouncer = LocalPgBouncer.start(pg, spec,
                new PgBouncerConfig.Credentials("pool_lookup", new String(AUTH_PASSWORD), "pool_admin", new String(ADMIN_PASSWORD)));
        return bouncer.port();
    }
}
