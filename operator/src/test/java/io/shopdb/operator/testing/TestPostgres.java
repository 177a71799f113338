package io.shopdb.operator.testing;

import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway real PostgreSQL server: the system binaries, a temp dir, a random port, SCRAM auth, and
 * durability switched off for speed. One server is shared by the whole test JVM (started on first use,
 * stopped by a shutdown hook); tests isolate themselves with their own databases and roles.
 */
public final class TestPostgres {
    public static final String SUPERUSER = "postgres";
    private static TestPostgres shared;

    private final Path dir;
    private final int port;
    private final char[] password;
    private final Map<String, String> settings;

    /** Prepares a fresh data directory before the first start (e.g. writes TLS files); returns extra server settings. */
    @FunctionalInterface
    public interface Setup {
        Map<String, String> prepare(Path dir) throws IOException;
    }

    private TestPostgres(Path dir, int port, char[] password, Map<String, String> settings) {
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.settings = settings;
    }

    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    public static TestPostgres start() {
        return start(dir -> Map.of());
    }

    /** A server of its own with extra settings (values must not contain spaces or quotes). */
    public static TestPostgres start(Setup setup) {
        try {
            Path dir = Files.createTempDirectory("shopdb-pgtest-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            char[] password = "test-superuser-password".toCharArray();
            Path pwfile = dir.resolve("pw");
            Files.writeString(pwfile, new String(password) + "\n");
            LocalPostgres.handOver(dir);
            String bin = LocalPostgres.binDir().toString();
            run(List.of(bin + "/initdb", "-D", dir.resolve("data").toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"), 60);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Map<String, String> settings = new LinkedHashMap<>(setup.prepare(dir));
            LocalPostgres.handOver(dir);
            TestPostgres pg = new TestPostgres(dir, port, password, settings);
            pg.resume();
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a test PostgreSQL", e);
        }
    }

    public void stop() {
        try {
            run(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"), 30);
        } catch (RuntimeException e) {
            // already stopped
        }
        LocalPostgres.deleteTree(dir);
    }

    /** Stops the server but keeps its data, to play a server outage. */
    public void pause() {
        run(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"), 60);
    }

    /** Starts the server (again) on its port, durability off for speed. */
    public void resume() {
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
                + " -c shared_preload_libraries=pg_stat_statements -c wal_level=replica";
        for (var e : settings.entrySet()) {
            options += " -c " + e.getKey() + "=" + e.getValue();
        }
        run(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                "-o", options, "-w", "start"), 60);
    }

    public int port() { return port; }
    public Path dir() { return dir; }

    public PgEndpoint superuser() {
        return new PgEndpoint("127.0.0.1", port, "postgres", SUPERUSER, password.clone(), "disable");
    }

    public PgEndpoint endpoint(String database, String user, char[] userPassword) {
        return new PgEndpoint("127.0.0.1", port, database, user, userPassword, "disable");
    }

    public Connection connect() throws SQLException {
        return PgConnections.open(superuser());
    }

    public Connection connect(String database) throws SQLException {
        return PgConnections.open(superuser().withDatabase(database));
    }

    /** Runs statements as the superuser (test setup only; never product code). */
    public void exec(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static void run(List<String> command, int timeoutSeconds) {
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
