package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.sql.DatabaseCatalog;
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
 * An existing target is used only when it holds no user relations. With {@code overwrite} a non-empty target is
 * never dropped first: the backup goes into a scratch database, and only once pg_restore succeeded and the row counts
 * match the manifest's is it swapped in ({@link DatabaseSwap}: sessions on the target are cut, the target keeps its
 * owner, grants and settings). A failed overwrite drops the scratch database and leaves the target as it was. A
 * database this restore created is dropped again if pg_restore fails, so a failed restore leaves no half-filled
 * database behind. Every restore holds an advisory lock per target name and first converges what an interrupted
 * earlier restore into that name left (a scratch database, a replaced database not yet dropped).
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
            DatabaseSwap.Names names = DatabaseSwap.names(r.targetDatabase());
            try (Connection admin = PgConnections.open(server)) {
                DatabaseSwap.lock(admin, names); // held until admin closes, i.e. for the whole restore
                DatabaseSwap.converge(admin, names);
                Map<String, Long> expected = manifest.rowCounts() == null ? null : manifest.rowCounts().get(source);
                Map<String, Long> counts = switch (prepareTarget(admin, server, manifest, r)) {
                    case CREATED -> restoreInto(server, r.targetDatabase(), manifest, source, r, spool, true);
                    case EMPTY -> restoreInto(server, r.targetDatabase(), manifest, source, r, spool, false);
                    case REPLACE -> replace(admin, server, names, manifest, source, r, spool, expected);
                };
                return new Result(r.backupId(), source, r.targetDatabase(), Duration.between(started, Instant.now()).toMillis(),
                        counts, ServerCatalog.compare(expected == null ? Map.of() : expected, counts));
            }
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

    /** What to do with the target: restore into a database just created, into an existing empty one, or replace it. */
    private enum Target { CREATED, EMPTY, REPLACE }

    /** Version and emptiness checks; creates the target when it does not exist. */
    private static Target prepareTarget(Connection admin, PgEndpoint server, BackupManifest manifest, Request r) throws SQLException {
        ServerCatalog.Version target = ServerCatalog.version(admin);
        if (manifest.serverMajor() > target.major()) {
            throw new AgentException(AgentException.Reason.VERSION_TOO_NEW, "backup " + manifest.backupId() + " comes from PostgreSQL "
                    + manifest.serverVersion() + ", newer than the target server's " + target.text() + ": restore into a server of major "
                    + manifest.serverMajor() + " or newer");
        }
        if (DatabaseCatalog.exists(admin, r.targetDatabase())) {
            long relations;
            try (Connection t = PgConnections.open(server.withDatabase(r.targetDatabase()))) {
                relations = ServerCatalog.userRelations(t);
            }
            if (relations == 0) {
                return Target.EMPTY; // e.g. made empty by a PostgresDatabase with the right owner: keep it
            }
            if (!r.overwrite()) {
                throw new AgentException(AgentException.Reason.TARGET_NOT_EMPTY, "database " + r.targetDatabase() + " already holds "
                        + relations + " relations; restore into a new name or ask for overwrite explicitly");
            }
            return Target.REPLACE;
        }
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(r.targetDatabase()) + " TEMPLATE template0");
        }
        return Target.CREATED;
    }

    /** pg_restore into {@code database}, then its row counts; drops the database again on failure when this restore created it. */
    private Map<String, Long> restoreInto(PgEndpoint server, String database, BackupManifest manifest, String source, Request r,
                                          Path spool, boolean dropOnFailure) throws SQLException {
        try {
            tools.run(server.withDatabase(database), "pg_restore", restoreArgs(manifest, source, database, r, spool),
                    spool.resolve("pg_restore.log"), r.timeout());
            try (Connection c = PgConnections.open(server.withDatabase(database))) {
                return ServerCatalog.rowCounts(c);
            }
        } catch (RuntimeException | SQLException e) {
            if (dropOnFailure) {
                dropQuietly(server, database, e);
            }
            throw e;
        }
    }

    /**
     * Overwrite of a non-empty target: restore into the scratch database, check, swap. Until the swap commits the target
     * is not touched, so every failure before it drops the scratch database and says the target was left as it was.
     */
    private Map<String, Long> replace(Connection admin, PgEndpoint server, DatabaseSwap.Names names, BackupManifest manifest,
                                      String source, Request r, Path spool, Map<String, Long> expected) throws SQLException {
        String untouched = "; database " + r.targetDatabase() + " was left as it was";
        try {
            try (Statement st = admin.createStatement()) {
                st.execute(DatabaseSwap.createScratch(admin, names));
            }
            Map<String, Long> counts = restoreInto(server, names.scratch(), manifest, source, r, spool, true);
            List<String> mismatches = expected == null ? List.of() : ServerCatalog.compare(expected, counts);
            if (!mismatches.isEmpty()) {
                throw new AgentException(AgentException.Reason.VERIFY_FAILED, "the restored row counts differ from the backup's: "
                        + String.join("; ", mismatches.subList(0, Math.min(10, mismatches.size()))));
            }
            DatabaseSwap.swap(admin, names);
            return counts;
        } catch (AgentException e) {
            DatabaseSwap.abandon(server, names, e);
            throw new AgentException(e.reason(), e.getMessage() + untouched, e);
        } catch (SQLException | RuntimeException e) {
            DatabaseSwap.abandon(server, names, e);
            throw new AgentException(AgentException.Reason.IO, "overwrite of " + r.targetDatabase() + " failed: " + e.getMessage() + untouched, e);
        }
    }

    private static List<String> restoreArgs(BackupManifest manifest, String source, String database, Request r, Path spool) {
        List<String> args = new ArrayList<>(List.of("--dbname=" + PgTools.dbname(database), "--exit-on-error", "--no-password"));
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
