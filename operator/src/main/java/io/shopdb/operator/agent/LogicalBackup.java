package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.FileEntry;
import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * pg_dump of each database to storage, with per-table row counts taken in the same snapshot as the dump:
 * the agent opens a REPEATABLE READ transaction, exports its snapshot, counts every table in it, and runs
 * pg_dump --snapshot=<that id> while the transaction stays open. Counts and dump therefore describe the
 * same instant, even with writers running, and a restore can be checked table by table.
 *
 * A custom-format dump streams from pg_dump's standard output into storage as it is written, hashed on the way:
 * one write, no local copy (a directory target writes a hidden file renamed into place, S3 a multipart upload
 * completed at the end). A directory-format dump (parallel jobs) is many files pg_dump writes itself: it is
 * spooled to a local directory (the Job's scratch volume), then uploaded file by file while hashing; only one
 * database's dump is on local disk at a time. The manifest is written last, so a backup cut short never looks
 * complete.
 */
public final class LogicalBackup {
    public static final String CONSISTENCY =
            "row counts taken in the REPEATABLE READ snapshot exported to pg_dump --snapshot (same snapshot as the dump)";

    /** @param jobs parallel pg_dump workers; directory format only (custom format is one stream) */
    public record Options(List<String> databases, Format format, Compression compression, int jobs, Duration timeout) {
        public Options {
            if (databases == null || databases.isEmpty()) {
                throw new AgentException(AgentException.Reason.INVALID, "name at least one database to back up");
            }
            for (String db : databases) {
                String problem = Identifiers.problem(db);
                if (problem != null) {
                    throw new AgentException(AgentException.Reason.INVALID, "database name " + problem);
                }
            }
            if (format != Format.CUSTOM && format != Format.DIRECTORY) {
                throw new AgentException(AgentException.Reason.INVALID, "logical backups are custom or directory format");
            }
            if (jobs < 1 || (jobs > 1 && format != Format.DIRECTORY)) {
                throw new AgentException(AgentException.Reason.INVALID, "parallel jobs need the directory format (jobs >= 1)");
            }
        }
    }

    private final PgTools tools;
    private final BackupCatalog catalog;
    private final Path spoolRoot;

    public LogicalBackup(PgTools tools, BackupCatalog catalog, Path spoolRoot) {
        this.tools = tools;
        this.catalog = catalog;
        this.spoolRoot = spoolRoot;
    }

    public BackupManifest run(PgEndpoint server, String backupId, Options options) {
        BackupCatalog.checkBackupId(backupId);
        Instant started = Instant.now();
        String toolVersion = tools.version("pg_dump");
        List<String> compressionArgs = options.compression().pgDumpArgs(PgTools.major(toolVersion));
        List<FileEntry> files = new ArrayList<>();
        Map<String, Map<String, Long>> rowCounts = new LinkedHashMap<>();
        ServerCatalog.Version version = null;
        try {
            for (String db : options.databases()) {
                Path spool = Files.createTempDirectory(spoolRoot, "dump-");
                try {
                    Dumped dumped = dumpOne(backupId, server.withDatabase(db), options, compressionArgs, spool, rowCounts);
                    version = dumped.version();
                    if (dumped.streamed() != null) {
                        files.add(dumped.streamed());
                    } else {
                        files.addAll(uploadAll(backupId, db, spool));
                    }
                } finally {
                    Spool.deleteTree(spool);
                }
            }
            Instant finished = Instant.now();
            BackupManifest manifest = new BackupManifest(BackupManifest.VERSION, backupId, BackupManifest.Method.LOGICAL,
                    options.format(), options.compression().toString(), List.copyOf(options.databases()),
                    version.text(), version.num(), toolVersion, started, finished,
                    Duration.between(started, finished).toMillis(), files,
                    files.stream().mapToLong(FileEntry::size).sum(), null, rowCounts, CONSISTENCY,
                    catalog.storage() instanceof S3Storage s3 ? s3.encryption() : "none");
            catalog.writeManifest(manifest);
            return manifest;
        } catch (IOException e) {
            catalog.discard(backupId, files);
            throw new AgentException(AgentException.Reason.IO, "backup " + backupId + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            catalog.discard(backupId, files);
            throw e;
        }
    }

    /** The server version a dump saw, and its file when it streamed into storage (custom format). */
    private record Dumped(ServerCatalog.Version version, FileEntry streamed) {}

    /** Dumps one database: a custom-format dump straight into storage, a directory-format one into {@code spool}. */
    private Dumped dumpOne(String backupId, PgEndpoint db, Options options, List<String> compressionArgs, Path spool,
                           Map<String, Map<String, Long>> rowCounts) {
        boolean stream = options.format() == Format.CUSTOM;
        String file = fileName(db.database(), options.format());
        try (Connection c = PgConnections.open(db)) {
            String snapshot;
            try (Statement st = c.createStatement()) {
                // the exporting transaction must outlive pg_dump: no idle-in-transaction kill from the server
                st.execute("SET idle_in_transaction_session_timeout = 0");
                st.execute("SET statement_timeout = 0");
                // explicit BEGIN in autocommit mode: the driver would otherwise open its own default-isolation transaction
                st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    snapshot = rs.getString(1);
                }
            }
            List<String> args = new ArrayList<>(List.of("--format=" + (stream ? "custom" : "directory"),
                    "--snapshot=" + snapshot, "--no-password"));
            if (!stream) {
                args.add("--file=" + spool.resolve(file));
            }
            args.addAll(compressionArgs);
            if (options.jobs() > 1) {
                args.add("--jobs=" + options.jobs());
            }
            args.add("--dbname=" + PgTools.dbname(db.database()));
            // pg_dump reads the exported snapshot on its own connections while this one counts rows in the
            // same snapshot: the counts cost no extra time as long as they finish before the dump does.
            ExecutorService dumper = Executors.newSingleThreadExecutor(r -> new Thread(r, "pg_dump-" + db.database()));
            Path log = spool.resolve("pg_dump.log");
            Future<FileEntry> dump = dumper.submit(() -> {
                if (!stream) {
                    tools.run(db, "pg_dump", args, log, options.timeout());
                    return null;
                }
                try {
                    return tools.runStreaming(db, "pg_dump", args, log, options.timeout(),
                            out -> catalog.uploadStream(backupId, file, db.database(), out));
                } catch (RuntimeException e) {
                    catalog.discard(backupId, file); // stored whole before pg_dump reported its failure
                    throw e;
                }
            });
            ServerCatalog.Version version;
            FileEntry streamed;
            try {
                rowCounts.put(db.database(), ServerCatalog.rowCounts(c));
                version = ServerCatalog.version(c);
            } finally {
                streamed = awaitDump(dump);
                dumper.shutdown();
            }
            try (Statement st = c.createStatement()) {
                st.execute("ROLLBACK"); // read-only: nothing to commit; ends the snapshot
            }
            return new Dumped(version, streamed);
        } catch (SQLException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot read database " + db.database() + " on " + db.host() + ":" + db.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Waits for pg_dump and rethrows its failure as it was (an AgentException with the tool's reason). */
    private static FileEntry awaitDump(Future<FileEntry> dump) {
        try {
            return dump.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "pg_dump failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dump.cancel(true);
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "interrupted while pg_dump ran", e);
        }
    }

    private List<FileEntry> uploadAll(String backupId, String db, Path spool) throws IOException {
        List<FileEntry> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(spool)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = spool.relativize(f).toString();
                if (!rel.equals("pg_dump.log")) {
                    out.add(catalog.upload(backupId, rel, db, f));
                }
            }
        }
        return out;
    }

    /** Storage name of a database's dump: URL-encoded, so any database name is a safe key. */
    static String fileName(String database, Format format) {
        String base = URLEncoder.encode(database, StandardCharsets.UTF_8);
        return format == Format.CUSTOM ? base + ".dump" : base + ".dir";
    }
}
