package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.TableChecksums;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Fills a database from an existing server: parallel pg_dump (directory format) taken from an exported snapshot,
 * parallel pg_restore without owners and grants (roles are not copied blindly), then the integrity report:
 * per table the row count and md5 of the source in that same snapshot against the target's. The source may keep
 * taking writes; the copy is compared with the instant it was taken, so any mismatch means a damaged copy.
 *
 * <p>Not yet reachable from a custom resource: the PostgresDatabase spec.import and its agent Job come with the
 * typed agent protocol (see the report of issue 15); this is the step such a Job runs.
 */
public final class DatabaseImport {
    static final Duration TOOL_TIMEOUT = Duration.ofHours(6);

    /** The result: {@code mismatches} empty means the target holds exactly the source at {@code snapshot}. */
    public record Report(String snapshot, Map<String, TableChecksums.TableSum> source, List<TableChecksums.Mismatch> mismatches,
                         List<String> rolesNotDeclared) {
        public boolean ok() {
            return mismatches.isEmpty();
        }
    }

    private DatabaseImport() {}

    /**
     * @param source   the existing server, connected to the database to copy
     * @param target   the new database, existing and empty
     * @param declared role names that PostgresRoles declare (the rest of the source's roles are listed)
     */
    public static Report run(PgTools tools, PgEndpoint source, PgEndpoint target, int jobs, Collection<String> declared, Path spool) {
        Path dump = spool.resolve("import.dir");
        try (Connection snapshot = PgConnections.open(source)) {
            String id = TableChecksums.exportSnapshot(snapshot);
            tools.run(source, "pg_dump", List.of("-Fd", "-j", String.valueOf(jobs), "--snapshot=" + id, "-f", dump.toString()),
                    spool.resolve("pg_dump.log"), TOOL_TIMEOUT);
            Map<String, TableChecksums.TableSum> sums = TableChecksums.read(snapshot);
            List<String> roles = TableChecksums.rolesNotDeclared(snapshot, declared);
            snapshot.commit();
            tools.run(target, "pg_restore", List.of("-j", String.valueOf(jobs), "--no-owner", "--no-privileges", "--exit-on-error",
                    "-d", PgTools.dbname(target.database()), dump.toString()), spool.resolve("pg_restore.log"), TOOL_TIMEOUT);
            try (Connection copy = PgConnections.open(target)) {
                return new Report(id, sums, TableChecksums.compare(sums, TableChecksums.read(copy)), roles);
            }
        } catch (SQLException e) {
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "import: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dump);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (Files.exists(dir)) {
            Spool.deleteTree(dir);
        }
    }
}
