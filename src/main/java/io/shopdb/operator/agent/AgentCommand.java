package io.shopdb.operator.agent;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.sql.PgEndpoint;
import org.postgresql.jdbcurlresolver.PgPassParser;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line a backup Job runs: {@code agent backup|restore|verify|list|unpack [options]}. It turns
 * options and environment into calls of the agent API and prints one JSON result line; the exit code is
 * 0 on success or the {@link AgentException.Reason}'s code (2 for bad usage). See {@link #USAGE}.
 * Secrets come only from the environment (PGPASSWORD or PGPASSFILE; AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, else the AWS SDK's default chain), never from options.
 */
public final class AgentCommand {
    public static final String USAGE = """
            usage: agent backup  STORAGE SERVER [--method logical|physical] [--database NAME]... [--format custom|directory]
                                 [--jobs N] [--compression none|gzip[:1-9]|zstd[:N]|lz4[:N]] [--wal-method fetch|stream]
                                 [--backup-id ID] [--spool-dir DIR] [--timeout-minutes N]
                   agent restore STORAGE SERVER --backup-id ID [--database NAME] --target-database NAME [--overwrite]
                                 [--jobs N] [--no-owner] [--spool-dir DIR] [--timeout-minutes N]
                   agent verify  STORAGE SERVER --backup-id ID [--database NAME] [--check SQL]... [--jobs N] [--spool-dir DIR]
                   agent list    STORAGE
                   agent unpack  STORAGE --backup-id ID --data-dir DIR [--if-empty] [--pod-name NAME] [--spool-dir DIR]
                   agent delete  STORAGE --backup-id ID
            STORAGE: --dir PATH | --s3-bucket B [--s3-prefix P] [--s3-endpoint URL] [--s3-region R] [--s3-path-style]
                     [--s3-sse AES256|aws:kms] [--s3-kms-key-id ID] [--s3-part-size-mb N]
            SERVER:  --host H [--port 5432] [--user postgres] [--maintenance-db postgres] [--sslmode prefer]
            environment: PGPASSWORD or PGPASSFILE; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY""";

    private static final Set<String> FLAGS = Set.of("overwrite", "no-owner", "s3-path-style", "if-empty");
    private static final Set<String> REPEATABLE = Set.of("database", "check");
    private static final Set<String> STORAGE = Set.of("dir", "s3-bucket", "s3-prefix", "s3-endpoint", "s3-region", "s3-path-style",
            "s3-sse", "s3-kms-key-id", "s3-part-size-mb", "spool-dir");
    private static final Set<String> SERVER = Set.of("host", "port", "user", "maintenance-db", "sslmode", "timeout-minutes", "jobs");
    private static final Map<String, Set<String>> COMMANDS = Map.of(
            "backup", Set.of("method", "database", "format", "compression", "wal-method", "backup-id"),
            "restore", Set.of("backup-id", "database", "target-database", "overwrite", "no-owner"),
            "verify", Set.of("backup-id", "database", "check"),
            "list", Set.of(),
            "unpack", Set.of("backup-id", "data-dir", "if-empty", "pod-name"),
            "delete", Set.of("backup-id"));

    private AgentCommand() {}

    /** A parsed command line: the command and its options (repeatable ones keep every value, in order). */
    public record Parsed(String command, Map<String, List<String>> options) {
        public String get(String name, String fallback) {
            List<String> v = options.get(name);
            return v == null ? fallback : v.get(v.size() - 1);
        }

        public String require(String name) {
            String v = get(name, null);
            if (v == null) {
                throw usage("--" + name + " is required for " + command);
            }
            return v;
        }

        public List<String> all(String name) {
            return options.getOrDefault(name, List.of());
        }

        public boolean flag(String name) {
            return options.containsKey(name);
        }

        public int integer(String name, int fallback) {
            String v = get(name, null);
            try {
                return v == null ? fallback : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw usage("--" + name + " must be a number");
            }
        }
    }

    public static int run(String[] args, PrintStream out) {
        return run(args, out, System.getenv());
    }

    /** As {@link #run(String[], PrintStream)}, with the environment given (tests). */
    public static int run(String[] args, PrintStream out, Map<String, String> env) {
        try {
            Parsed p = parse(args);
            Path spool = Paths.get(p.get("spool-dir", System.getProperty("java.io.tmpdir")));
            try (BackupStorage storage = storage(p, env)) {
                BackupCatalog catalog = new BackupCatalog(storage);
                Object result = switch (p.command()) {
                    case "list" -> catalog.list().stream().map(AgentCommand::summary).toList();
                    case "delete" -> deleted(catalog, p.require("backup-id"));
                    case "unpack" -> unpack(p, catalog, spool);
                    default -> runWithServer(p, catalog, spool, endpoint(p, env));
                };
                out.println(BackupManifest.json().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(result));
                return result instanceof RestoreDrill.Result r && !r.ok() ? AgentException.Reason.VERIFY_FAILED.exitCode : 0;
            }
        } catch (AgentException e) {
            out.println(error(e.reason().name(), e.getMessage()));
            if (e.reason() == AgentException.Reason.INVALID && e.getMessage().startsWith("usage: ")) {
                out.println(USAGE);
            }
            return e.reason().exitCode;
        } catch (IOException | RuntimeException e) {
            out.println(error("IO", String.valueOf(e.getMessage())));
            return AgentException.Reason.IO.exitCode;
        }
    }

    /**
     * unpack; --if-empty (a cluster's init container) leaves a data directory that has files alone and unpacks
     * through a staging directory, so an interrupted unpack is never mistaken for a data directory;
     * --pod-name skips every pod but ordinal 0 (replicas clone the primary instead).
     */
    private static Object unpack(Parsed p, BackupCatalog catalog, Path spool) {
        String pod = p.get("pod-name", null);
        if (pod != null && !pod.endsWith("-0")) {
            return Map.of("skipped", "pod " + pod + " is not ordinal 0: it clones the primary");
        }
        Path dataDir = Paths.get(p.require("data-dir"));
        if (!p.flag("if-empty")) {
            return summary(new PhysicalRestore(catalog, spool).unpack(p.require("backup-id"), dataDir));
        }
        if (PhysicalRestore.hasFiles(dataDir)) {
            return Map.of("skipped", "data directory " + dataDir + " is not empty");
        }
        return summary(new PhysicalRestore(catalog, spool).unpackStaged(p.require("backup-id"), dataDir));
    }

    private static Object runWithServer(Parsed p, BackupCatalog catalog, Path spool, PgEndpoint server) {
        PgTools tools = PgTools.locate();
        Duration timeout = Duration.ofMinutes(p.integer("timeout-minutes", 24 * 60));
        int jobs = p.integer("jobs", 1);
        return switch (p.command()) {
            case "backup" -> {
                String id = p.get("backup-id", defaultBackupId());
                Compression compression = Compression.parse(p.get("compression", "gzip"));
                if (p.get("method", "logical").equals("physical")) {
                    var wal = PhysicalBackup.WalMethod.valueOf(p.get("wal-method", "stream").toUpperCase(java.util.Locale.ROOT));
                    yield summary(new PhysicalBackup(tools, catalog, spool).run(server, id, new PhysicalBackup.Options(compression, wal, timeout)));
                }
                var options = new LogicalBackup.Options(p.all("database"), Format.of(p.get("format", "custom")), compression, jobs, timeout);
                yield summary(new LogicalBackup(tools, catalog, spool).run(server, id, options));
            }
            case "restore" -> new LogicalRestore(tools, catalog, spool).run(server, new LogicalRestore.Request(p.require("backup-id"),
                    p.get("database", null), p.require("target-database"), p.flag("overwrite"), jobs, p.flag("no-owner"), timeout));
            case "verify" -> new RestoreDrill(tools, catalog, spool).run(server, p.require("backup-id"), p.get("database", null),
                    p.all("check"), jobs, timeout);
            default -> throw usage("unknown command " + p.command());
        };
    }

    /** Parses {@code [agent] COMMAND --name value|--name=value|--flag ...}; unknown or misplaced options are usage errors. */
    public static Parsed parse(String[] args) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.isEmpty() && a.get(0).equals("agent")) {
            a.remove(0);
        }
        if (a.isEmpty() || !COMMANDS.containsKey(a.get(0))) {
            throw usage(a.isEmpty() ? "missing command" : "unknown command " + a.get(0));
        }
        String command = a.remove(0);
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 0; i < a.size(); i++) {
            String arg = a.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw usage("unexpected argument " + arg);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            boolean allowed = COMMANDS.get(command).contains(name) || STORAGE.contains(name)
                    || (!command.equals("list") && !command.equals("unpack") && !command.equals("delete") && SERVER.contains(name));
            if (!allowed) {
                throw usage("unknown option --" + name + " for " + command);
            }
            if (FLAGS.contains(name)) {
                if (value != null) {
                    throw usage("--" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= a.size()) {
                    throw usage("--" + name + " needs a value");
                }
                value = a.get(++i);
            }
            if (options.containsKey(name) && !REPEATABLE.contains(name)) {
                throw usage("--" + name + " given twice");
            }
            options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        if (options.containsKey("dir") == options.containsKey("s3-bucket")) {
            throw usage("give exactly one storage: --dir or --s3-bucket");
        }
        return new Parsed(command, options);
    }

    static BackupStorage storage(Parsed p, Map<String, String> env) throws IOException {
        if (p.flag("dir")) {
            return new DirectoryStorage(Paths.get(p.require("dir")));
        }
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        String endpoint = p.get("s3-endpoint", null);
        return new S3Storage(new S3Storage.Settings(p.require("s3-bucket"), p.get("s3-prefix", ""),
                endpoint == null ? null : URI.create(endpoint), p.get("s3-region", env.getOrDefault("AWS_REGION", "us-east-1")),
                p.flag("s3-path-style"), key, key == null || secret == null ? null : secret.toCharArray(),
                p.get("s3-sse", null), p.get("s3-kms-key-id", null), p.integer("s3-part-size-mb", 0) * 1024 * 1024));
    }

    /** The server, with the password from PGPASSWORD or else the PGPASSFILE/.pgpass entry libpq would pick. */
    static PgEndpoint endpoint(Parsed p, Map<String, String> env) {
        String host = p.require("host");
        int port = p.integer("port", 5432);
        String user = p.get("user", env.getOrDefault("PGUSER", "postgres"));
        String db = p.get("maintenance-db", "postgres");
        String password = env.get("PGPASSWORD");
        if (password == null) {
            password = PgPassParser.getPassword(host, String.valueOf(port), db, user);
        }
        return new PgEndpoint(host, port, db, user, password == null ? new char[0] : password.toCharArray(), p.get("sslmode", "prefer"));
    }

    /** Deletes a backup (manifest first, so it is never listed half-deleted); deleting what is gone is success. */
    private static Map<String, Object> deleted(BackupCatalog catalog, String backupId) {
        catalog.delete(BackupCatalog.checkBackupId(backupId));
        return Map.of("deleted", backupId);
    }

    static String defaultBackupId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    /** A manifest without its file list and row counts: what a log line or a status needs. */
    static Map<String, Object> summary(BackupManifest m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("backupId", m.backupId());
        s.put("method", m.method());
        s.put("format", m.format());
        s.put("databases", m.databases());
        s.put("serverVersion", m.serverVersion());
        s.put("startedAt", m.startedAt());
        s.put("durationMillis", m.durationMillis());
        s.put("files", m.files().size());
        s.put("totalBytes", m.totalBytes());
        s.put("manifestSha256", Checksums.of(m.toJson()).sha256());
        if (m.walRange() != null) {
            s.put("walRange", m.walRange());
        }
        // The file list (path, size, SHA-256) rides along while the line stays small enough for a Job's
        // termination message; the manifest in storage always has it.
        if (m.files().size() <= 30) {
            s.put("fileList", m.files());
        }
        return s;
    }

    private static String error(String reason, String message) {
        try {
            return BackupManifest.json().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Map.of("error", reason, "message", message));
        } catch (IOException e) {
            return "{\"error\":\"" + reason + "\"}";
        }
    }

    private static AgentException usage(String message) {
        return new AgentException(AgentException.Reason.INVALID, "usage: " + message);
    }
}
