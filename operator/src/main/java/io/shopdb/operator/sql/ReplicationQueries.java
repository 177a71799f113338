package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What failover and switchover need to know of one instance, and the promotion itself. WAL positions are
 * read as byte offsets (pg_wal_lsn_diff against 0/0) so they compare as numbers.
 */
public final class ReplicationQueries {
    /**
     * Role and WAL position of an instance. On a replica the position is the furthest of received (flushed
     * by the WAL receiver, null before it first streamed) and replayed WAL; on a primary, the current WAL
     * insert position.
     */
    static final String POSITION = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery()
                        THEN pg_wal_lsn_diff(greatest(coalesce(pg_last_wal_receive_lsn(), '0/0'),
                                                      coalesce(pg_last_wal_replay_lsn(), '0/0')), '0/0')
                        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END::bigint,
                   (SELECT status FROM pg_stat_wal_receiver),
                   CASE WHEN pg_is_in_recovery()
                        THEN pg_wal_lsn_diff(coalesce(pg_last_wal_replay_lsn(), '0/0'), '0/0') ELSE 0 END::bigint""";
    /** Waits (up to the given seconds) until the promotion finished: every received WAL record is replayed first. */
    static final String PROMOTE = "SELECT pg_promote(true, ?)";
    /** A checkpoint before a planned shutdown keeps the shutdown checkpoint, and so the write pause, short. */
    static final String CHECKPOINT = "CHECKPOINT";

    /**
     * Settings a hot standby needs at least as high as its primary's; a replica started with a lower value
     * than the primary runs refuses to start (see ParameterRollout.lowersHotStandbySetting).
     */
    static final String HOT_STANDBY_SETTINGS = """
            SELECT name, setting::bigint FROM pg_settings
             WHERE name IN ('max_connections', 'max_prepared_transactions', 'max_locks_per_transaction',
                            'max_wal_senders', 'max_worker_processes')""";

    public static java.util.Map<String, Long> hotStandbySettings(Connection c) throws SQLException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(HOT_STANDBY_SETTINGS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** One instance's replication state; {@code receiverStatus} is pg_stat_wal_receiver.status or null. */
    public record Position(boolean inRecovery, long lsn, String receiverStatus, long replayed) {
        public boolean streaming() { return "streaming".equals(receiverStatus); }
    }

    private ReplicationQueries() {}

    public static Position position(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(POSITION); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Position(rs.getBoolean(1), rs.getLong(2), rs.getString(3), rs.getLong(4));
        }
    }

    /** True when the instance left recovery within {@code waitSeconds}. */
    public static boolean promote(Connection c, int waitSeconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PROMOTE)) {
            ps.setInt(1, waitSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * The session's commits wait for no synchronous standby: the operator's own bookkeeping (e.g. creating
     * the replication role the standbys need to connect at all) must not wait for those standbys.
     */
    public static void commitLocally(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SET synchronous_commit TO local")) {
            ps.execute();
        }
    }

    public static void checkpoint(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CHECKPOINT)) {
            ps.execute();
        }
    }
}
