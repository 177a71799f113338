package io.shopdb.operator.testing;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.pooler.PgBouncerConfig;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PoolerAuth;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.tls.CertificateAuthority;
import io.shopdb.operator.tls.ServerNames;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PgBouncer (Debian's /usr/sbin/pgbouncer) in front of a {@link TestPostgres}, running the files
 * PgBouncerConfig writes for a pooler, with three changes for a test machine: a free local port, the temp
 * directory for /etc/pgbouncer and /etc/pgbouncer-tls, and server TLS off (the test server has none). Client TLS
 * is on, as in a pod: a test CA ({@link #CA}) signs the certificate for the names a pooler {@code pool} in
 * namespace {@code test} has (PoolerTls), so clients verify it as they would in a cluster ({@link #trust}).
 * As the postgres user when root (PgBouncer refuses to run as root).
 */
public final class LocalPgBouncer implements AutoCloseable {
    /** The test CA that signs every LocalPgBouncer's certificate. */
    public static final CertificateAuthority CA = CertificateAuthority.generate("local-pgbouncer-ca", Duration.ofDays(1), Instant.now());
    /** The names of the certificate: those of a pooler {@code pool} in namespace {@code test}. */
    public static final List<String> NAMES = ServerNames.of("test", List.of("pool"), "pool-pods");
    private final Process process;
    private final Path dir;
    private final int port;

    private LocalPgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static LocalPgBouncer start(TestPostgres pg, PostgresPoolerSpec spec, PgBouncerConfig.Credentials credentials)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("shopdb-pgbouncer-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var files = PgBouncerConfig.files(spec, "127.0.0.1", pg.port(), PoolerAuth.AUTH_QUERY, credentials, "unused");
        Path tls = Files.createDirectories(dir.resolve("tls"));
        String ini = files.get(PgBouncerConfig.INI)
                .replace("listen_port = " + PgBouncerConfig.PORT, "listen_port = " + port)
                .replace("server_tls_sslmode = verify-ca", "server_tls_sslmode = disable")
                .replace(PgBouncerConfig.TLS_DIR + "/", tls + "/") // first: /etc/pgbouncer is its prefix
                .replace(PgBouncerConfig.DIR + "/", dir + "/");
        Files.writeString(dir.resolve(PgBouncerConfig.INI), ini);
        var issued = CA.issueServer(NAMES, Duration.ofDays(1), Instant.now());
        Files.writeString(tls.resolve(PgBouncerConfig.TLS_CERT), issued.certificatePem());
        Files.writeString(tls.resolve(PgBouncerConfig.TLS_KEY), issued.keyPem());
        Files.writeString(dir.resolve(PgBouncerConfig.USERLIST), files.get(PgBouncerConfig.USERLIST));
        LocalPostgres.handOver(dir);
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(List.of("/usr/sbin/pgbouncer", dir.resolve(PgBouncerConfig.INI).toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("pgbouncer.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                return new LocalPgBouncer(p, dir, port);
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        p.destroy();
        throw new IllegalStateException("pgbouncer did not start: " + Files.readString(dir.resolve("pgbouncer.log")));
    }

    public int port() {
        return port;
    }

    /** What a client checks: the test CA and {@code name} (one of {@link #NAMES} passes, any other name fails). */
    public static ServerTrust trust(String name) {
        return new ServerTrust(CA.certificatePem(), name);
    }

    /** The log, for a failure message. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("pgbouncer.log"));
    }

    @Override
    public void close() {
        process.destroy();
        LocalPostgres.deleteTree(dir);
    }
}
