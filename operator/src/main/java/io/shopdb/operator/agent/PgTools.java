package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the PostgreSQL client programs. Credentials reach them only through the child's environment
 * (PGPASSWORD, or the PGPASSFILE the Job mounts), never its command line, which any user on the node can
 * read in /proc. Tool output goes to a log file whose tail is quoted when the tool fails.
 */
public final class PgTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
    private final Path binDir;

    public PgTools(Path binDir) {
        this.binDir = binDir;
    }

    /** The bin directory holding pg_dump: PATH first, then the newest /usr/lib/postgresql/N/bin (Debian). */
    public static PgTools locate() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "pg_dump"))) {
                try {
                    // Debian's /usr/bin/pg_dump is a wrapper; the real directory has every tool of one major
                    Path real = Paths.get(dir, "pg_dump").toRealPath();
                    if (Files.isExecutable(real.resolveSibling("pg_basebackup")) && !real.getParent().equals(Paths.get("/usr/bin"))) {
                        return new PgTools(real.getParent());
                    }
                } catch (IOException e) {
                    // fall through to the Debian layout
                }
            }
        }
        Path base = Paths.get("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.isDirectory(base) ? Files.list(base) : Stream.empty()) {
            return versions.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                    .map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("pg_dump")))
                    .map(PgTools::new)
                    .orElseThrow(() -> new AgentException(AgentException.Reason.INVALID, "pg_dump not found on PATH or under /usr/lib/postgresql/N/bin"));
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + base, e);
        }
    }

    public Path bin(String tool) {
        return binDir.resolve(tool);
    }

    /** The first line of {@code tool --version}, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
    public String version(String tool) {
        try {
            Process p = new ProcessBuilder(bin(tool).toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse(out);
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "cannot run " + tool + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "interrupted", e);
        }
    }

    public static int major(String versionLine) {
        Matcher m = VERSION.matcher(versionLine);
        if (!m.find()) {
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "unrecognised version: " + versionLine);
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * Runs {@code tool args...} against {@code server}; fails with the tail of its output. The database
     * to connect to is the endpoint's unless the arguments name one.
     */
    public void run(PgEndpoint server, String tool, List<String> args, Path log, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin(tool).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            environment(pb.environment(), server);
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AgentException(AgentException.Reason.TOOL_FAILED, tool + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new AgentException(AgentException.Reason.TOOL_FAILED,
                        tool + " failed (exit " + p.exitValue() + "): " + tail(log, server));
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "cannot run " + tool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.Reason.TOOL_FAILED, tool + " interrupted", e);
        }
    }

    /** What consumes a tool's standard output while the tool writes it (a storage upload). */
    @FunctionalInterface
    public interface OutputConsumer<T> {
        T consume(java.io.InputStream stdout) throws IOException;
    }

    /**
     * Runs {@code tool} with its standard output handed to {@code consumer} as it is written (stderr goes to {@code log}),
     * so the output needs no local copy; returns what the consumer made once the tool ended with exit code 0. A tool
     * that fails or overruns {@code timeout} throws TOOL_FAILED (the consumer then holds a truncated stream: the caller
     * discards what it stored); a consumer that fails stops the tool.
     */
    public <T> T runStreaming(PgEndpoint server, String tool, List<String> args, Path log, Duration timeout, OutputConsumer<T> consumer) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin(tool).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        Process p = null;
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, tool + "-deadline");
            t.setDaemon(true);
            return t;
        });
        try {
            environment(pb.environment(), server);
            Process started = pb.start();
            p = started;
            java.util.concurrent.atomic.AtomicBoolean overran = new java.util.concurrent.atomic.AtomicBoolean();
            timer.schedule(() -> {
                overran.set(true);
                started.destroyForcibly();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            T result;
            try (java.io.InputStream out = started.getInputStream()) {
                result = consumer.consume(out);
            }
            started.waitFor();
            if (overran.get()) {
                throw new AgentException(AgentException.Reason.TOOL_FAILED, tool + " did not finish within " + timeout);
            }
            if (started.exitValue() != 0) {
                throw new AgentException(AgentException.Reason.TOOL_FAILED,
                        tool + " failed (exit " + started.exitValue() + "): " + tail(log, server));
            }
            return result;
        } catch (IOException e) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly(); // the consumer failed (storage full, S3 down): the tool stops writing into nothing
            }
            if (e instanceof StorageFullException full) {
                throw new AgentException(AgentException.Reason.STORAGE_FULL, full.getMessage(), e);
            }
            throw new AgentException(p == null ? AgentException.Reason.TOOL_FAILED : AgentException.Reason.IO,
                    (p == null ? "cannot run " + tool : "storing " + tool + "'s output failed") + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AgentException(AgentException.Reason.TOOL_FAILED, tool + " interrupted", e);
        } finally {
            timer.shutdownNow();
        }
    }

    static void environment(Map<String, String> env, PgEndpoint server) throws IOException {
        env.put("PGHOST", server.host());
        env.put("PGPORT", String.valueOf(server.port()));
        env.put("PGUSER", server.user());
        env.put("PGDATABASE", server.database());
        env.put("PGSSLMODE", server.sslMode());
        env.remove("PGHOSTADDR");
        env.remove("PGSSLROOTCERT");
        if (server.trust() != null) {
            // libpq checks the certificate against PGHOST and dials PGHOSTADDR when given: the name the certificate
            // carries (a Service) may differ from the address dialled (the sandbox maps Services to 127.0.0.1)
            env.put("PGSSLROOTCERT", caFile(server.trust()).toString());
            if (!server.trust().serverName().equalsIgnoreCase(server.host())) {
                env.put("PGHOST", server.trust().serverName());
                env.put("PGHOSTADDR", InetAddress.getByName(server.host()).getHostAddress());
            }
        }
        env.put("PGAPPNAME", "shopdb-agent");
        env.put("PGCONNECT_TIMEOUT", "10");
        if (server.password() != null && server.password().length > 0) {
            env.put("PGPASSWORD", new String(server.password()));
        } else {
            env.remove("PGPASSWORD"); // let libpq fall back to PGPASSFILE / ~/.pgpass
        }
    }

    /** The CA as a file for libpq (PGSSLROOTCERT), written once per CA into the temp dir: a certificate, no secret. */
    static Path caFile(ServerTrust trust) throws IOException {
        String pem = trust.caPem().strip() + "\n";
        Path file = Paths.get(System.getProperty("java.io.tmpdir"), "shopdb-ca-" + Checksums.of(pem.getBytes(StandardCharsets.UTF_8)).sha256().substring(0, 16) + ".crt");
        if (!Files.exists(file) || !Files.readString(file).equals(pem)) {
            Path tmp = Files.createTempFile(file.getParent(), "ca-", ".tmp");
            Files.writeString(tmp, pem);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    /** A libpq conninfo naming one database, so a name with '=' or spaces is not parsed as options. */
    public static String dbname(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Last lines of a tool's output; the password is masked in case a tool ever echoes it. */
    private static String tail(Path log, PgEndpoint server) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String text = String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
            if (server.password() != null && server.password().length > 0) {
                text = text.replace(new String(server.password()), "****");
            }
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
