package io.shopdb.operator.agent.protocol;

import io.shopdb.operator.agent.protocol.AgentRequest.Backup;
import io.shopdb.operator.agent.protocol.AgentRequest.Server;
import io.shopdb.operator.agent.protocol.AgentRequest.Storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The agent's command-line grammar, both ways: {@link #write} (requests to arguments) and {@link #parse}
 * (arguments to requests). The option table below is the single list of what each command accepts.
 */
public final class AgentArgs {
    private static final Set<String> FLAGS = Set.of("overwrite", "no-owner", "s3-path-style", "if-empty", "replace-existing");
    private static final Set<String> REPEATABLE = Set.of("database", "check", "schema", "exclude-schema", "declared-role");
    private static final Set<String> STORAGE = Set.of("dir", "s3-bucket", "s3-prefix", "s3-endpoint", "s3-region", "s3-path-style",
            "s3-sse", "s3-kms-key-id", "s3-part-size-mb", "spool-dir");
    private static final Set<String> SERVER = Set.of("host", "port", "user", "maintenance-db", "sslmode", "sslrootcert", "server-name",
            "timeout-minutes", "jobs");
    private static final Map<String, Set<String>> COMMANDS = Map.ofEntries(
            Map.entry("backup", Set.of("method", "database", "format", "compression", "wal-method", "backup-id")),
            Map.entry("restore", Set.of("backup-id", "database", "target-database", "overwrite", "no-owner")),
            Map.entry("verify", Set.of("backup-id", "database", "check")),
            Map.entry("list", Set.of()),
            Map.entry("unpack", Set.of("backup-id", "data-dir", "if-empty", "pod-name")),
            Map.entry("delete", Set.of("backup-id")),
            Map.entry("archive-wal", Set.of("archive-prefix", "wal-path", "wal-file", "compression")),
            Map.entry("restore-wal", Set.of("archive-prefix", "wal-file", "target-path")),
            Map.entry("wal-archiver", Set.of("archive-prefix", "pgdata", "handoff-dir", "compression", "config-dir", "pod-name")),
            Map.entry("wal-fetcher", Set.of("archive-prefix", "handoff-dir")),
            Map.entry("prepare-recovery", Set.of("archive-prefix", "data-dir", "wal-dir", "options-file", "target-time", "target-lsn", "target-xid",
                    "target-name", "pod-name")),
            Map.entry("prune-wal", Set.of("archive-prefix", "keep-from")),
            Map.entry("list-wal", Set.of("archive-prefix")),
            Map.entry("import", Set.of("source-host", "source-port", "source-database", "source-sslmode", "source-sslrootcert",
                    "source-server-name", "target-database", "role", "schema", "exclude-schema", "declared-role", "replace-existing")));
    private static final Set<String> WITH_SERVER = Set.of("backup", "restore", "verify", "import");
    /** Commands that use no backup storage: of the storage options only --spool-dir. */
    private static final Set<String> WITHOUT_STORAGE = Set.of("import");

    private AgentArgs() {}

    /** Collects {@code --name value} pairs in order; null values and false flags are left out. */
    public static final class Writer {
        private final List<String> args = new ArrayList<>();

        public Writer option(String name, Object value) {
            if (value != null) {
                args.add("--" + name);
                args.add(value.toString());
            }
            return this;
        }

        public Writer repeat(String name, List<String> values) {
            values.forEach(v -> option(name, v));
            return this;
        }

        public Writer flag(String name, boolean on) {
            if (on) {
                args.add("--" + name);
            }
            return this;
        }
    }

    static List<String> write(AgentRequest r) {
        Writer out = new Writer();
        out.args.add(r.command());
        r.writeOptions(out);
        Server server = server(r);
        if (server != null) {
            out.option("host", server.host()).option("port", server.port()).option("user", server.user())
                    .option("maintenance-db", server.maintenanceDb()).option("sslmode", server.sslMode())
                    .option("sslrootcert", server.sslRootCert()).option("server-name", server.serverName());
        }
        Storage s = r.storage();
        out.option("spool-dir", s.spoolDir()).option("dir", s.dir());
        if (s.s3() != null) {
            var s3 = s.s3();
            out.option("s3-bucket", s3.bucket()).option("s3-prefix", s3.prefix()).option("s3-endpoint", s3.endpoint())
                    .option("s3-region", s3.region()).flag("s3-path-style", s3.pathStyle()).option("s3-sse", s3.sse())
                    .option("s3-kms-key-id", s3.kmsKeyId()).option("s3-part-size-mb", s3.partSizeMb());
        }
        return List.copyOf(out.args);
    }

    /** The server of a request that talks to PostgreSQL, else null. */
    public static Server server(AgentRequest r) {
        if (r instanceof Backup b) {
            return b.server();
        }
        if (r instanceof AgentRequest.Restore x) {
            return x.server();
        }
        if (r instanceof AgentRequest.Import i) {
            return i.server();
        }
        return r instanceof AgentRequest.Verify v ? v.server() : null;
    }

    static AgentRequest parse(String[] argv) {
        List<String> a = new ArrayList<>(List.of(argv));
        if (!a.isEmpty() && a.get(0).equals("agent")) {
            a.remove(0);
        }
        if (a.isEmpty() || !COMMANDS.containsKey(a.get(0))) {
            throw usage(a.isEmpty() ? "missing command" : "unknown command " + a.get(0));
        }
        String command = a.remove(0);
        Options o = new Options(command, tokens(command, a));
        Storage storage = o.storage();
        return switch (command) {
            case "backup" -> new Backup(storage, o.server(), o.choice("method", AgentRequest.Method.class), o.all("database"),
                    o.choice("format", AgentRequest.Format.class), o.get("compression"), o.choice("wal-method", AgentRequest.WalMethod.class),
                    o.get("backup-id"), o.integer("jobs"), o.integer("timeout-minutes"));
            case "restore" -> new AgentRequest.Restore(storage, o.server(), o.require("backup-id"), o.get("database"),
                    o.require("target-database"), o.flag("overwrite"), o.flag("no-owner"), o.integer("jobs"), o.integer("timeout-minutes"));
            case "verify" -> new AgentRequest.Verify(storage, o.server(), o.require("backup-id"), o.get("database"), o.all("check"),
                    o.integer("jobs"), o.integer("timeout-minutes"));
            case "list" -> new AgentRequest.ListBackups(storage);
            case "unpack" -> new AgentRequest.Unpack(storage, o.require("backup-id"), o.require("data-dir"), o.flag("if-empty"), o.get("pod-name"));
            case "delete" -> new AgentRequest.Delete(storage, o.require("backup-id"));
            case "import" -> new AgentRequest.Import(storage, o.server(), new AgentRequest.Source(o.require("source-host"), o.get("source-port"),
                    o.require("source-database"), o.get("source-sslmode"), o.get("source-sslrootcert"), o.get("source-server-name")),
                    o.require("target-database"), o.get("role"), o.all("schema"),
                    o.all("exclude-schema"), o.all("declared-role"), o.flag("replace-existing"), o.integer("jobs"), o.integer("timeout-minutes"));
            case "archive-wal" -> new AgentRequest.ArchiveWal(storage, o.require("archive-prefix"), o.require("wal-path"), o.require("wal-file"),
                    o.get("compression"));
            case "restore-wal" -> new AgentRequest.RestoreWal(storage, o.require("archive-prefix"), o.require("wal-file"), o.require("target-path"));
            case "wal-archiver" -> new AgentRequest.WalArchiver(storage, o.require("archive-prefix"), o.require("pgdata"), o.require("handoff-dir"),
                    o.get("compression"), o.get("config-dir"), o.get("pod-name"));
            case "wal-fetcher" -> new AgentRequest.WalFetcher(storage, o.require("archive-prefix"), o.require("handoff-dir"));
            case "prepare-recovery" -> prepareRecovery(storage, o);
            case "prune-wal" -> new AgentRequest.PruneWal(storage, o.require("archive-prefix"), o.require("keep-from"));
            default -> new AgentRequest.ListWal(storage, o.require("archive-prefix"));
        };
    }

    private static AgentRequest prepareRecovery(Storage storage, Options o) {
        var r = new AgentRequest.PrepareRecovery(storage, o.require("archive-prefix"), o.require("data-dir"), o.require("wal-dir"),
                o.require("options-file"), o.get("target-time"), o.get("target-lsn"), o.get("target-xid"), o.get("target-name"), o.get("pod-name"));
        long targets = java.util.stream.Stream.of(r.targetTime(), r.targetLsn(), r.targetXid(), r.targetName()).filter(t -> t != null).count();
        if (targets > 1) {
            throw usage("give at most one of --target-time, --target-lsn, --target-xid, --target-name");
        }
        return r;
    }

    private static Map<String, List<String>> tokens(String command, List<String> a) {
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
            boolean storageOption = STORAGE.contains(name) && (!WITHOUT_STORAGE.contains(command) || name.equals("spool-dir"));
            boolean allowed = COMMANDS.get(command).contains(name) || storageOption
                    || (WITH_SERVER.contains(command) && SERVER.contains(name));
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
        if (!WITHOUT_STORAGE.contains(command) && options.containsKey("dir") == options.containsKey("s3-bucket")) {
            throw usage("give exactly one storage: --dir or --s3-bucket");
        }
        return options;
    }

    private record Options(String command, Map<String, List<String>> options) {
        String get(String name) {
            List<String> v = options.get(name);
            return v == null ? null : v.get(v.size() - 1);
        }

        String require(String name) {
            String v = get(name);
            if (v == null) {
                throw usage("--" + name + " is required for " + command);
            }
            return v;
        }

        List<String> all(String name) {
            return options.getOrDefault(name, List.of());
        }

        boolean flag(String name) {
            return options.containsKey(name);
        }

        Integer integer(String name) {
            String v = get(name);
            try {
                return v == null ? null : Integer.valueOf(v);
            } catch (NumberFormatException e) {
                throw usage("--" + name + " must be a number");
            }
        }

        <E extends Enum<E>> E choice(String name, Class<E> type) {
            String v = get(name);
            if (v == null) {
                return null;
            }
            try {
                return Enum.valueOf(type, v.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw usage("--" + name + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
            }
        }

        Storage storage() {
            AgentRequest.S3 s3 = flag("s3-bucket") ? new AgentRequest.S3(get("s3-bucket"), get("s3-prefix"), get("s3-endpoint"),
                    get("s3-region"), flag("s3-path-style"), get("s3-sse"), get("s3-kms-key-id"), integer("s3-part-size-mb")) : null;
            return new Storage(get("dir"), s3, get("spool-dir"));
        }

        Server server() {
            return new Server(require("host"), get("port"), get("user"), get("maintenance-db"), get("sslmode"), get("sslrootcert"),
                    get("server-name"));
        }
    }

    static AgentException usage(String message) {
        return new AgentException(AgentException.Reason.INVALID, "usage: " + message);
    }
}
