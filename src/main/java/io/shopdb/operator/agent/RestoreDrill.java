package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The restore drill behind "verify": restore into a scratch database, compare every table's row count to
 * the manifest, run the caller's SQL checks, and always drop the scratch database. A backup that was never
 * restored is a hope, not a backup.
 *
 * Checks run in a READ ONLY transaction in the scratch database; each must return exactly one row with one
 * boolean column that is true (e.g. {@code SELECT count(*) > 0 FROM orders}).
 */
public final class RestoreDrill {

    public record Result(boolean ok, String backupId, String database, String scratchDatabase, long durationMillis,
                         List<String> mismatches) {}

    private final LogicalRestore restore;

    public RestoreDrill(PgTools tools, BackupCatalog catalog, Path spoolRoot) {
        this.restore = new LogicalRestore(tools, catalog, spoolRoot);
    }

    public Result run(PgEndpoint server, String backupId, String database, List<String> checks, int jobs, Duration timeout) {
        Instant started = Instant.now();
        String scratch = "shopdb_verify_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        try {
            // no owner/grants: a drill must also work on a scratch server that lacks the production roles
            LogicalRestore.Result restored = restore.run(server,
                    new LogicalRestore.Request(backupId, database, scratch, false, jobs, true, timeout));
            List<String> mismatches = new ArrayList<>(restored.mismatches());
            try (Connection c = PgConnections.open(server.withDatabase(scratch))) {
                for (int i = 0; i < checks.size(); i++) {
                    String problem = check(c, checks.get(i));
                    if (problem != null) {
                        mismatches.add("check #" + (i + 1) + " " + problem);
                    }
                }
            }
            return new Result(mismatches.isEmpty(), backupId, restored.sourceDatabase(), scratch,
                    Duration.between(started, Instant.now()).toMillis(), mismatches);
        } catch (SQLException e) {
            throw new AgentException(AgentException.Reason.IO, "restore drill of " + backupId + " failed: " + e.getMessage(), e);
        } finally {
            AgentException cleanup = new AgentException(AgentException.Reason.IO, "cannot drop scratch database " + scratch);
            LogicalRestore.dropQuietly(server, scratch, cleanup);
            if (cleanup.getSuppressed().length > 0) {
                System.getLogger(RestoreDrill.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot drop scratch database {0}: {1}", scratch, cleanup.getSuppressed()[0].getMessage());
            }
        }
    }

    /** Null when the check returned a single true; otherwise what it did instead. */
    static String check(Connection c, String sql) {
        try {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.getMetaData().getColumnCount() != 1 || rs.getMetaData().getColumnType(1) != Types.BIT && rs.getMetaData().getColumnType(1) != Types.BOOLEAN) {
                    return "must return one boolean column";
                }
                if (!rs.next()) {
                    return "returned no row";
                }
                boolean value = rs.getBoolean(1);
                boolean isNull = rs.wasNull();
                if (rs.next()) {
                    return "returned more than one row";
                }
                return isNull ? "returned null" : value ? null : "returned false";
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            return "failed: " + e.getMessage();
        }
    }
}
