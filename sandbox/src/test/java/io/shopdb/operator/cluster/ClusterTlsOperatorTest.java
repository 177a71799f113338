package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.sql.ServerNameVerifier;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.tls.Pem;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A managed cluster with TLS as the operator sets it up: Secrets, instances serving the certificate, replicas
 * streaming over TLS, and an app connecting with its connection Secret as written (the sandbox's network
 * standing in for cluster DNS: the written host is dialled at its local address and still verified by name).
 */
@QuarkusTest
class ClusterTlsOperatorTest extends OperatorTestBase {

    @Test
    void appsConnectWithTheirSecretAsWrittenAndReplicasStreamOverTls() throws Exception {
        tlsCluster();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: tls-app}
                spec: {clusterRef: {name: tls-db}, name: tls_app, connectionDatabase: postgres}
                """, PostgresRole.class));
        PostgresCluster cluster = awaitReady(PostgresCluster.class, "tls-db");
        awaitReady(PostgresRole.class, "tls-app");

        Secret server = client.secrets().inNamespace(ns()).withName("tls-db-server-tls").get();
        assertEquals("kubernetes.io/tls", server.getType());
        String caPem = ClusterTlsSecrets.value(server, "ca.crt");
        var cert = Pem.readCertificate(ClusterTlsSecrets.value(server, "tls.crt"));
        assertEquals(cert.getSerialNumber().toString(16), cluster.getStatus().getTls().getSerial());
        assertEquals(cluster.getStatus().getTls().getSerial(), cluster.getStatus().getTls().getReloadedSerial());
        assertNotNull(client.secrets().inNamespace(ns()).withName("tls-db-ca").get());

        // plain TCP is refused by every instance
        SQLException plain = assertThrows(SQLException.class, () -> {
            var su = endpoint("tls-db-rw", "postgres", "postgres", superuserPassword());
            io.shopdb.operator.sql.PgConnections.open(new io.shopdb.operator.sql.PgEndpoint(su.host(), su.port(), su.database(), su.user(),
                    su.password(), "disable")).close();
        });
        assertTrue(plain.getMessage().contains("no encryption"), plain.getMessage());

        // the app, with the connection Secret as written: jdbc-uri (verify-full, CA inline), host dialled at its sandbox address
        Secret connection = client.secrets().inNamespace(ns()).withName("tls-app-connection").get();
        assertEquals(caPem, ClusterTlsSecrets.value(connection, "ca.crt"));
        assertTrue(ClusterTlsSecrets.value(connection, "uri").endsWith("?sslmode=verify-full"), "libpq URI verifies the server");
        String jdbc = ClusterTlsSecrets.value(connection, "jdbc-uri");
        assertTrue(jdbc.contains("sslmode=verify-full"), "JDBC URL verifies the server");
        try (Connection app = connectAsWritten(jdbc, null); Statement st = app.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(rs.next());
            assertEquals("tls_app", rs.getString(1));
            assertTrue(rs.getBoolean(2));
        }
        // the same URL refuses a server that is not the one named in it
        assertThrows(SQLException.class, () -> connectAsWritten(jdbc, "other-db-rw." + ns() + ".svc").close());

        // the replica streams over TLS
        try (Connection su = connectAsWritten(jdbc.replaceAll("user=[^&]*&password=[^&]*", "user=postgres&password="
                + java.net.URLEncoder.encode(new String(superuserPassword()), java.nio.charset.StandardCharsets.UTF_8)), null);
             Statement st = su.createStatement()) {
            Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
                try (ResultSet rs = st.executeQuery("SELECT s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
                        + " WHERE r.application_name = 'tls-db-1' AND r.state = 'streaming'")) {
                    return rs.next() && rs.getBoolean(1);
                }
            });
        }
    }

    /** An external server without sslMode or CA: encrypted (require), and a Warning says it is not verified. */
    @Test
    void anExternalServerDefaultsToRequireWithAWarning() {
        tlsCluster();
        awaitReady(PostgresCluster.class, "tls-db");
        var primary = addresses.resolve(ns(), "tls-db-rw", 5432);
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: tls-ext}
                spec:
                  external: {host: "%s", port: %d, adminSecretRef: {name: tls-db-superuser}}
                """.formatted(primary.host(), primary.port()), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class));
        // (as written: the typed class would serialize its default storage, which the CRD refuses for an external server)
        awaitReady(PostgresCluster.class, "tls-ext");
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class)
                .inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> "ServerNotVerified".equals(e.getReason()) && "tls-ext".equals(e.getRegarding().getName())
                        && "Warning".equals(e.getType()) && e.getNote().startsWith("sslmode require:")));
    }

    /** Editing the superuser Secret rotates the password in the server, without a restart; the old one stops working. */
    @Test
    void aChangedSuperuserPasswordWorksAndTheOldOneDoesNot() throws Exception {
        tlsCluster();
        awaitReady(PostgresCluster.class, "tls-db");
        char[] old = superuserPassword();
        String started;
        try (Connection c = io.shopdb.operator.sql.PgConnections.open(endpoint("tls-db-rw", "postgres", "postgres", old));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_postmaster_start_time()::text")) {
            rs.next();
            started = rs.getString(1);
        }
        String rotated = "rotated-" + java.util.UUID.randomUUID();
        client.secrets().inNamespace(ns()).withName("tls-db-superuser").edit(s -> {
            s.getData().put("password", java.util.Base64.getEncoder().encodeToString(rotated.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return s;
        });
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> {
            try (Connection c = io.shopdb.operator.sql.PgConnections.open(endpoint("tls-db-rw", "postgres", "postgres", rotated.toCharArray()))) {
                return c.isValid(5);
            }
        });
        SQLException refused = assertThrows(SQLException.class,
                () -> io.shopdb.operator.sql.PgConnections.open(endpoint("tls-db-rw", "postgres", "postgres", old)).close());
        assertEquals("28P01", refused.getSQLState());
        try (Connection c = io.shopdb.operator.sql.PgConnections.open(endpoint("tls-db-rw", "postgres", "postgres", rotated.toCharArray()));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_postmaster_start_time()::text")) {
            rs.next();
            assertEquals(started, rs.getString(1), "no restart");
        }
        awaitReady(PostgresCluster.class, "tls-db");
    }

    /** The two-instance cluster both tests use (test order is not fixed). */
    private void tlsCluster() {
        if (client.resources(PostgresCluster.class).inNamespace(ns()).withName("tls-db").get() == null) {
            create(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresCluster
                    metadata: {name: tls-db}
                    spec: {instances: 2}
                    """, PostgresCluster.class));
        }
    }

    private char[] superuserPassword() {
        return ClusterTlsSecrets.value(client.secrets().inNamespace(ns()).withName("tls-db-superuser").get(), "password").toCharArray();
    }

    /**
     * Opens the JDBC URL as an app in the cluster would, with the sandbox in place of cluster DNS: the host of the
     * URL is dialled at the local address the sandbox maps it to, and the certificate is still checked against
     * that host name ({@code claimedName} replaces it, to show a mismatch fails).
     */
    private Connection connectAsWritten(String jdbc, String claimedName) throws SQLException {
        URI uri = URI.create(jdbc.substring("jdbc:".length()));
        String service = uri.getHost().substring(0, uri.getHost().indexOf('.'));
        var local = addresses.resolve(ns(), service, uri.getPort());
        String dialled = jdbc.replace(uri.getHost() + ":" + uri.getPort(), local.host() + ":" + local.port());
        Properties props = new Properties();
        props.setProperty("sslhostnameverifier", ServerNameVerifier.class.getName());
        props.setProperty(ServerTrust.SERVER_NAME_PROPERTY, claimedName != null ? claimedName : uri.getHost());
        Connection c = new org.postgresql.Driver().connect(dialled, props);
        assertNotNull(c, dialled);
        return c;
    }
}
