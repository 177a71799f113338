package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** Where a standby cluster's primary instance stands in its source's WAL, and where the source stands (read-only). */
public final class StandbyQueries {
    static final String REPLAY = """
            SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,
                   pg_last_xact_replay_timestamp(), (SELECT status FROM pg_stat_wal_receiver)""";
    /** A source that is a standby itself (demoted for a planned move) has no current position: its replayed one stands for it. */
    static final String SOURCE = """
            SELECT pg_is_in_recovery(),
                   (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text""";

    private StandbyQueries() {}

    /** The standby's side; {@code receiver} is pg_stat_wal_receiver.status (null: not streaming). */
    public record Replay(boolean inRecovery, String receivedLsn, String replayedLsn, Instant lastReplayed, String receiver) {
        public boolean streaming() { return "streaming".equals(receiver); }
    }

    public record Source(boolean inRecovery, String lsn) {}

    public static Replay replay(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REPLAY); ResultSet rs = ps.executeQuery()) {
            rs.next();
            java.sql.Timestamp replayed = rs.getTimestamp(4);
            return new Replay(rs.getBoolean(1), rs.getString(2), rs.getString(3), replayed == null ? null : replayed.toInstant(), rs.getString(5));
        }
    }

    public static Source source(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SOURCE); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Source(rs.getBoolean(1), rs.getString(2));
        }
    }
}
