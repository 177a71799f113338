package io.shopdb.operator.testing;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.pooler.PgBouncerConfig;
import io.shopdb.operator.sandbox.LocalPostgres;
import io.shopdb.operator.sql.PoolerAuth;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PgBouncer (Debian's /usr/sbin/pgbouncer) in front of a {@link TestPostgres}, running the files
 * PgBouncerConfig writes for a pooler, with three changes for a test machine: a free local port, the temp
 * directory for /etc/pgbouncer, and server TLS off (the test server has none). As the postgres user when root
 * (PgBouncer refuses to run as root).
 */
public final class LocalPgBouncer implements AutoCloseable {
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
        String ini = files.get(PgBouncerConfig.INI)
                .replace("listen_port = " + PgBouncerConfig.PORT, "listen_port = " + port)
                .replace("server_tls_sslmode = verify-ca", "server_tls_sslmode = disable")
                .replace(PgBouncerConfig.DIR, dir.toString());
        Files.writeString(dir.resolve(PgBouncerConfig.INI), ini);
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

    @Override
    public void close() {
        process.destroy();
        LocalPostgres.deleteTree(dir);
    }
}
