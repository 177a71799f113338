package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.sql.DrillChecks;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
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
 * Checks run in the scratch database only, through {@link DrillChecks}: as a throwaway login role that can read the
 * scratch database's tables and nothing else (never the superuser), read-only, with a statement timeout; each must
 * return exactly one row with one boolean column that is true (e.g. {@code SELECT count(*) > 0 FROM orders}). The
 * mismatches carry pass/fail, row counts and SQLSTATEs, never row data.
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
            if (!checks.isEmpty()) {
                // the scratch database only, as a throwaway read-only role: never the superuser, never a production database
                PgEndpoint scratchEndpoint = server.withDatabase(scratch);
                try (Connection c = PgConnections.open(scratchEndpoint)) {
                    DrillChecks.Report report = DrillChecks.run(c, scratchEndpoint, checks);
                    mismatches.addAll(report.failures());
                    if (report.cleanupProblem() != null) {
                        System.getLogger(RestoreDrill.class.getName()).log(System.Logger.Level.WARNING, report.cleanupProblem());
                    }
                }
            }
            return new Result(mismatches.isEmpty(), backupId, restored.sourceDatabase(), scratch,
                    Duration.between(started, Instant.now()).toMillis(), mismatches);
        } catch (SQLException e) {
            // the SQLSTATE only: a server message can quote row data
            throw new AgentException(AgentException.Reason.IO, "restore drill of " + backupId + " failed: " + DrillChecks.describe(e), e);
        } finally {
            AgentException cleanup = new AgentException(AgentException.Reason.IO, "cannot drop scratch database " + scratch);
            LogicalRestore.dropQuietly(server, scratch, cleanup);
            if (cleanup.getSuppressed().length > 0) {
                System.getLogger(RestoreDrill.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot drop scratch database {0}: {1}", scratch, cleanup.getSuppressed()[0].getMessage());
            }
        }
    }
}
