package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Restores one database of a logical backup into a database of another name. Order matters for safety:
 * download and check every file's SHA-256, then check the server version, then look at the target; only
 * then is anything created. A corrupted backup or a refused target leaves the server untouched.
 *
 * An existing target is used only when it holds no user relations; with {@code overwrite} it is dropped
 * (WITH FORCE: sessions are cut) and created afresh. A database this restore created is dropped again if
 * pg_restore fails, so a failed restore leaves no half-filled database behind.
 */
public final class LogicalRestore {

    /**
     * @param database   which database of the backup; null when the backup has exactly one
     * @param noOwner    skip ownership and grants (pg_restore -O -x), for servers without the original roles
     */
    public record Request(String backupId, String database, String targetDatabase, boolean overwrite, int jobs,
                          boolean noOwner, Duration timeout) {}

    public record Result(String backupId, String sourceDatabase, String targetDatabase, long durationMillis,
                         Map<String, Long> rowCounts, List<String> mismatches) {}

    private final PgTools tools;
    private final BackupCatalog catalog;
    private final Path spoolRoot;

    public LogicalRestore(PgTools tools, BackupCatalog catalog, Path spoolRoot) {
        this.tools = tools;
        this.catalog = catalog;
        this.spoolRoot = spoolRoot;
    }

    /** @param server any database on the target server (used for CREATE/DROP DATABASE), e.g. "postgres" */
    public Result run(PgEndpoint server, Request r) {
        Instant started = Instant.now();
        BackupManifest manifest = catalog.read(r.backupId());
        if (manifest.method() != BackupManifest.Method.LOGICAL) {
            throw new AgentException(AgentException.Reason.INVALID, "backup " + r.backupId()
                    + " is physical: it restores into a new cluster's data directory (PhysicalRestore), not into a database");
        }
        String source = sourceDatabase(manifest, r.database());
        String problem = Identifiers.problem(r.targetDatabase());
        if (problem != null) {
            throw new AgentException(AgentException.Reason.INVALID, "target database name " + problem);
        }
        if (r.jobs() < 1) {
            throw new AgentException(AgentException.Reason.INVALID, "jobs must be at least 1");
        }
        Path spool = null;
        try {
            spool = Files.createTempDirectory(spoolRoot, "restore-");
            catalog.download(manifest, manifest.filesOf(source), spool);
            boolean created = prepareTarget(server, manifest, r);
            try {
                tools.run(server.withDatabase(r.targetDatabase()), "pg_restore", restoreArgs(manifest, source, r, spool),
                        spool.resolve("pg_restore.log"), r.timeout());
            } catch (RuntimeException e) {
                if (created) {
                    dropQuietly(server, r.targetDatabase(), e);
                }
                throw e;
            }
            Map<String, Long> counts;
            try (Connection c = PgConnections.open(server.withDatabase(r.targetDatabase()))) {
                counts = ServerCatalog.rowCounts(c);
            }
            Map<String, Long> expected = manifest.rowCounts() == null ? Map.of() : manifest.rowCounts().getOrDefault(source, Map.of());
            return new Result(r.backupId(), source, r.targetDatabase(), Duration.between(started, Instant.now()).toMillis(),
                    counts, ServerCatalog.compare(expected, counts));
        } catch (IOException | SQLException e) {
            throw new AgentException(AgentException.Reason.IO, "restore of " + r.backupId() + " into " + r.targetDatabase()
                    + " failed: " + e.getMessage(), e);
        } finally {
            Spool.deleteTree(spool);
        }
    }

    static String sourceDatabase(BackupManifest manifest, String requested) {
        if (requested == null) {
            if (manifest.databases().size() != 1) {
                throw new AgentException(AgentException.Reason.INVALID, "backup " + manifest.backupId()
                        + " holds databases " + manifest.databases() + ": name the one to restore");
            }
            return manifest.databases().get(0);
        }
        if (!manifest.databases().contains(requested)) {
            throw new AgentException(AgentException.Reason.NOT_FOUND, "backup " + manifest.backupId()
                    + " has no database '" + requested + "' (it has " + manifest.databases() + ")");
        }
        return requested;
    }

    /** Version and emptiness checks, then CREATE (or DROP + CREATE); returns whether this restore created the database. */
    private boolean prepareTarget(PgEndpoint server, BackupManifest manifest, Request r) throws SQLException {
        try (Connection c = PgConnections.open(server); Statement st = c.createStatement()) {
            ServerCatalog.Version target = ServerCatalog.version(c);
            if (manifest.serverMajor() > target.major()) {
                throw new AgentException(AgentException.Reason.VERSION_TOO_NEW, "backup " + manifest.backupId() + " comes from PostgreSQL "
                        + manifest.serverVersion() + ", newer than the target server's " + target.text() + ": restore into a server of major "
                        + manifest.serverMajor() + " or newer");
            }
            String name = Identifiers.quote(r.targetDatabase());
            if (ServerCatalog.databaseExists(c, r.targetDatabase())) {
                long relations;
                try (Connection t = PgConnections.open(server.withDatabase(r.targetDatabase()))) {
                    relations = ServerCatalog.userRelations(t);
                }
                if (relations == 0) {
                    return false; // e.g. made empty by a PostgresDatabase with the right owner: keep it
                }
                if (!r.overwrite()) {
                    throw new AgentException(AgentException.Reason.TARGET_NOT_EMPTY, "database " + r.targetDatabase() + " already holds "
                            + relations + " relations; restore into a new name or ask for overwrite explicitly");
                }
                st.execute("DROP DATABASE " + name + " WITH (FORCE)");
            }
            st.execute("CREATE DATABASE " + name + " TEMPLATE template0");
            return true;
        }
    }

    private static List<String> restoreArgs(BackupManifest manifest, String source, Request r, Path spool) {
        List<String> args = new ArrayList<>(List.of("--dbname=" + PgTools.dbname(r.targetDatabase()), "--exit-on-error", "--no-password"));
        if (r.jobs() > 1) {
            args.add("--jobs=" + r.jobs());
        } else {
            args.add("--single-transaction"); // all or nothing; pg_restore cannot combine it with --jobs
        }
        if (r.noOwner()) {
            args.add("--no-owner");
            args.add("--no-privileges");
        }
        Format format = manifest.format();
        args.add("--format=" + (format == Format.CUSTOM ? "custom" : "directory"));
        args.add(spool.resolve(LogicalBackup.fileName(source, format)).toString());
        return args;
    }

    static void dropQuietly(PgEndpoint server, String database, Exception cause) {
        try (Connection c = PgConnections.open(server); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(database) + " WITH (FORCE)");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
