package io.shopdb.operator.tls;

import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real PostgreSQL 15 configured exactly by {@link ServerTlsSettings} with a certificate from
 * {@link CertificateAuthority}: what clients can and cannot do against it.
 */
class ServerTlsPgTest {
    private static final List<String> NAMES = ServerNames.of("shop", List.of("shop-rw", "shop-ro", "shop-r"), "shop-headless");
    private static final char[] REPLICATION_PASSWORD = "replication-secret-1".toCharArray();

    private static CertificateAuthority ca;
    private static TestPostgres pg;
    private static Path tlsDir;
    private static Path standby;

    @BeforeAll
    static void start() throws SQLException {
        ca = CertificateAuthority.generate("shop-ca", Duration.ofDays(3650), Instant.now());
        pg = TestPostgres.start(dir -> {
            tlsDir = dir.resolve("tls");
            Files.createDirectories(tlsDir);
            writeServerFiles(ca.issueServer(NAMES, Duration.ofDays(365), Instant.now()));
            Files.writeString(dir.resolve("pg_hba_tls.conf"), ServerTlsSettings.hba(List.of("replicator", "postgres")));
            Map<String, String> settings = new LinkedHashMap<>(ServerTlsSettings.parameters(tlsDir.toString()));
            settings.put("hba_file", dir.resolve("pg_hba_tls.conf").toString());
            return settings;
        });
        try (Connection c = PgConnections.open(verified("shop-rw.shop.svc")); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE replicator LOGIN REPLICATION");
            ((org.postgresql.PGConnection) c).alterUserPassword("replicator", REPLICATION_PASSWORD.clone(), "scram-sha-256");
        }
    }

    @AfterAll
    static void stop() {
        if (standby != null) {
            runAsServer(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", standby.toString(), "-m", "immediate", "stop"), Map.of());
        }
        if (pg != null) {
            pg.stop();
        }
    }

    @Test
    void plainTextConnectionIsRefused() {
        SQLException e = assertThrows(SQLException.class, () -> PgConnections.open(pg.superuser()).close());
        assertTrue(e.getMessage().contains("no encryption"), e.getMessage());
    }

    @Test
    void verifyFullWithTheServiceNameConnectsOverTls() throws SQLException {
        for (String name : List.of("shop-rw.shop.svc", "shop-ro", "shop-r.shop.svc.cluster.local", "shop-1.shop-headless.shop.svc")) {
            try (Connection c = PgConnections.open(verified(name)); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), name);
                assertTrue(rs.getString(2).startsWith("TLSv1."), rs.getString(2));
            }
        }
    }

    @Test
    void verifyFullWithAWrongNameFails() {
        SQLException e = assertThrows(SQLException.class, () -> PgConnections.open(verified("other-rw.shop.svc")).close());
        assertTrue(e.getMessage().contains("hostname"), e.getMessage());
    }

    /** pgjdbc's standard path (sslrootcert file, the dialled host checked): 'localhost' is not a name of the cluster. */
    @Test
    void standardVerifyFullChecksTheDialledHost() {
        Properties props = new Properties();
        props.setProperty("user", TestPostgres.SUPERUSER);
        props.setProperty("password", "test-superuser-password");
        props.setProperty("sslmode", "verify-full");
        props.setProperty("sslrootcert", tlsDir.resolve(ServerTlsSettings.CA_FILE).toString());
        SQLException e = assertThrows(SQLException.class,
                () -> new org.postgresql.Driver().connect("jdbc:postgresql://localhost:" + pg.port() + "/postgres", props).close());
        assertTrue(e.getMessage().contains("hostname"), e.getMessage());
    }

    @Test
    void aCertificateOfAnotherCaIsRejected() {
        CertificateAuthority stranger = CertificateAuthority.generate("other-ca", Duration.ofDays(30), Instant.now());
        PgEndpoint endpoint = pg.superuser().verifiedBy(new ServerTrust(stranger.certificatePem(), "shop-rw.shop.svc"));
        SQLException e = assertThrows(SQLException.class, () -> PgConnections.open(endpoint).close());
        assertTrue(e.getMessage().startsWith("SSL error"), e.getMessage());
    }

    @Test
    void aRenewedCertificateIsServedAfterAReloadWithoutRestart() throws Exception {
        var before = TlsProbe.serverSerial(pg.port(), ca.certificate());
        int pidBefore = postmasterPid();
        CertificateAuthority.Issued renewed = ca.issueServer(NAMES, Duration.ofDays(365), Instant.now());
        writeServerFiles(renewed);
        try (Connection c = PgConnections.open(verified("shop-rw.shop.svc")); Statement st = c.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> TlsProbe.serverSerial(pg.port(), ca.certificate()).equals(renewed.certificate().getSerialNumber()));
        assertNotEquals(before, renewed.certificate().getSerialNumber());
        assertEquals(pidBefore, postmasterPid(), "the server was not restarted");
        try (Connection c = PgConnections.open(verified("shop-rw.shop.svc"))) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void replicasCloneAndStreamOverVerifiedTlsOnly() throws Exception {
        String caFile = tlsDir.resolve(ServerTlsSettings.CA_FILE).toString();
        Map<String, String> env = Map.of("PGPASSWORD", new String(REPLICATION_PASSWORD));
        String base = "host=127.0.0.1 port=" + pg.port() + " user=replicator";
        Path refused = pg.dir().resolve("refused");
        String plain = runAsServer(List.of(LocalPostgres.binDir() + "/pg_basebackup", "-D", refused.toString(),
                "-d", base + " sslmode=disable", "-X", "none", "-c", "fast"), env);
        assertTrue(plain.contains("no encryption"), plain);

        standby = pg.dir().resolve("standby");
        String cloned = runAsServer(List.of(LocalPostgres.binDir() + "/pg_basebackup", "-D", standby.toString(),
                "-d", base + " sslmode=verify-ca sslrootcert=" + caFile + " application_name=shop-1", "-X", "stream", "-c", "fast", "-R"), env);
        assertTrue(Files.exists(standby.resolve("standby.signal")), cloned);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String started = runAsServer(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", standby.toString(), "-l", pg.dir().resolve("standby.log").toString(),
                "-o", "-p " + port + " -k " + pg.dir() + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        // a hot standby needs at least the primary's max_connections (TestPostgres sets 200)
                        + " -c max_connections=200", "-w", "start"), Map.of());
        assertTrue(started.contains("server started"), () -> started + readQuietly(pg.dir().resolve("standby.log")));
        try (Connection c = PgConnections.open(verified("shop-rw.shop.svc")); Statement st = c.createStatement()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (ResultSet rs = st.executeQuery("SELECT s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
                        + " WHERE r.application_name = 'shop-1' AND r.state = 'streaming'")) {
                    return rs.next() && rs.getBoolean(1);
                }
            });
        }
    }

    private static PgEndpoint verified(String serverName) {
        return pg.superuser().verifiedBy(new ServerTrust(ca.certificatePem(), serverName));
    }

    private static int postmasterPid() throws IOException {
        return Integer.parseInt(Files.readAllLines(pg.dir().resolve("data/postmaster.pid")).get(0).strip());
    }

    /** The files of a mounted kubernetes.io/tls Secret, the key private to the server user as PostgreSQL demands. */
    private static void writeServerFiles(CertificateAuthority.Issued issued) throws IOException {
        Files.writeString(tlsDir.resolve(ServerTlsSettings.CA_FILE), ca.certificatePem());
        Files.writeString(tlsDir.resolve(ServerTlsSettings.CERT_FILE), issued.certificatePem());
        Path key = tlsDir.resolve(ServerTlsSettings.KEY_FILE);
        Files.writeString(key, issued.keyPem());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        LocalPostgres.handOver(tlsDir);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static String runAsServer(List<String> command, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(command);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
