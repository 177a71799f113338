package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The primary's WAL archiver, as PostgreSQL counts it: pg_stat_archiver (successes and failures since the server
 * started) and the files finished but not yet archived ({@code .ready} in pg_wal/archive_status). With the archiver
 * sidecar's handoff, archive_command succeeds only once a file is in the archive, so these numbers are the archive's.
 */
public final class ArchiverQueries {
    static final String READ = """
            SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time,
                   (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') AS pending
            FROM pg_stat_archiver""";

    private ArchiverQueries() {}

    public record ArchiverState(long archivedCount, String lastArchivedWal, Instant lastArchivedTime, long failedCount,
                                String lastFailedWal, Instant lastFailedTime, long pendingFiles) {}

    public static ArchiverState read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(READ)) {
            rs.next();
            return new ArchiverState(rs.getLong(1), rs.getString(2), instant(rs.getTimestamp(3)), rs.getLong(4), rs.getString(5),
                    instant(rs.getTimestamp(6)), rs.getLong(7));
        }
    }

    /** pg_create_restore_point: a named point in the WAL that a recovery can stop at (recovery_target_name). Its LSN. */
    public static String createRestorePoint(Connection c, String name) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_create_restore_point(?)::text")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
