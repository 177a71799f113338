package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.testing.TestPostgres;
import io.shopdb.operator.tls.CertificateAuthority;
import io.shopdb.operator.tls.ServerNames;
import io.shopdb.operator.tls.ServerTlsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent verifies the server as a Job runs it: the CA file the pod mounts ({@code --sslrootcert}) and the name the
 * certificate carries ({@code --server-name}, a Service) while it dials an address (the sandbox's 127.0.0.1): pgjdbc
 * through ServerTrust, libpq (pg_dump) through PGHOST=name + PGHOSTADDR=address + PGSSLROOTCERT. A wrong name or
 * another CA is refused by both.
 */
class AgentTlsPgTest {
    private static CertificateAuthority ca;
    private static TestPostgres pg;
    private static Path caFile;

    @BeforeAll
    static void start() {
        ca = CertificateAuthority.generate("shop-ca", Duration.ofDays(3650), Instant.now());
        pg = TestPostgres.start(dir -> {
            Path tls = dir.resolve("tls");
            Files.createDirectories(tls);
            var issued = ca.issueServer(ServerNames.of("shop", List.of("shop-rw"), "shop-headless"), Duration.ofDays(30), Instant.now());
            Files.writeString(tls.resolve(ServerTlsSettings.CA_FILE), ca.certificatePem());
            Files.writeString(tls.resolve(ServerTlsSettings.CERT_FILE), issued.certificatePem());
            Path key = tls.resolve(ServerTlsSettings.KEY_FILE);
            Files.writeString(key, issued.keyPem());
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            LocalPostgres.handOver(tls);
            Files.writeString(dir.resolve("pg_hba_tls.conf"), ServerTlsSettings.hba(List.of("replicator", "postgres")));
            Map<String, String> settings = new LinkedHashMap<>(ServerTlsSettings.parameters(tls.toString()));
            settings.put("hba_file", dir.resolve("pg_hba_tls.conf").toString());
            return settings;
        });
        try {
            caFile = Files.createTempFile("agent-ca-", ".crt");
            Files.writeString(caFile, ca.certificatePem()); // what the Job's pod mounts from the server Secret's ca.crt
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.stop();
        }
        Files.deleteIfExists(caFile);
    }

    private static int agent(Path backups, String serverName, ByteArrayOutputStream out) {
        return AgentCommand.run(new String[]{"agent", "backup", "--dir", backups.toString(), "--method", "logical", "--database", "postgres",
                        "--host", "127.0.0.1", "--port", String.valueOf(pg.port()), "--sslmode", "verify-full",
                        "--sslrootcert", caFile.toString(), "--server-name", serverName},
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of("PGPASSWORD", new String(pg.superuser().password())));
    }

    @Test
    void aBackupJobVerifiesTheServiceNameWhileDiallingTheAddress() throws Exception {
        Path backups = Files.createTempDirectory("agent-tls-");
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, agent(backups, "shop-rw.shop.svc", out), out.toString(StandardCharsets.UTF_8));

            ByteArrayOutputStream wrong = new ByteArrayOutputStream();
            int code = agent(backups, "other-rw.shop.svc", wrong);
            assertTrue(code != 0, "a certificate without the name asked for is refused: " + wrong.toString(StandardCharsets.UTF_8));
        } finally {
            LocalPostgres.deleteTree(backups);
        }
    }

    @Test
    void libpqToolsCheckTheNameAndTheCaToo() throws Exception {
        Path work = Files.createTempDirectory("agent-tls-tool-");
        try {
            PgTools tools = PgTools.locate();
            PgEndpoint server = pg.superuser();
            tools.run(server.verifiedBy(new ServerTrust(ca.certificatePem(), "shop-rw.shop.svc")), "pg_dump", List.of("--schema-only", "-f",
                    work.resolve("ok.sql").toString()), work.resolve("ok.log"), Duration.ofMinutes(1));

            AgentException wrongName = assertThrows(AgentException.class, () -> tools.run(
                    server.verifiedBy(new ServerTrust(ca.certificatePem(), "other-rw.shop.svc")), "pg_dump", List.of("--schema-only", "-f",
                            work.resolve("x.sql").toString()), work.resolve("x.log"), Duration.ofMinutes(1)));
            assertTrue(wrongName.getMessage().contains("does not match host name"), wrongName.getMessage());

            CertificateAuthority stranger = CertificateAuthority.generate("other-ca", Duration.ofDays(30), Instant.now());
            AgentException wrongCa = assertThrows(AgentException.class, () -> tools.run(
                    server.verifiedBy(new ServerTrust(stranger.certificatePem(), "shop-rw.shop.svc")), "pg_dump", List.of("--schema-only", "-f",
                            work.resolve("y.sql").toString()), work.resolve("y.log"), Duration.ofMinutes(1)));
            assertTrue(wrongCa.getMessage().contains("certificate verify failed"), wrongCa.getMessage());
        } finally {
            LocalPostgres.deleteTree(work);
        }
    }
}
