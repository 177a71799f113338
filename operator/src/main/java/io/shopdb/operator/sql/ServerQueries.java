package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Catalog reads about a whole server, as named constants (read-only; no DDL here). */
public final class ServerQueries {
    static final String VERSION = "SELECT current_setting('server_version'), pg_is_in_recovery()";
    /**
     * A WAL receiver that is one of the cluster's own instances: application_name {@code <cluster>-<ordinal>} (cluster_name
     * is this pod's name), not a standby cluster streaming from it (spec.standby of another cluster). No regular
     * expression is built from the name, so no character of it can widen the match; guard.sh has the same condition.
     * A server whose cluster_name is no pod name (an external one) lists every WAL receiver, as before.
     */
    public static final String OWN_INSTANCE = """
            (current_setting('cluster_name') !~ '-[0-9]+$'
               OR starts_with(application_name, regexp_replace(current_setting('cluster_name'), '-[0-9]+$', '') || '-')
                  AND substr(application_name, length(regexp_replace(current_setting('cluster_name'), '-[0-9]+$', '')) + 2) ~ '^[0-9]+$')""";
    static final String REPLICAS = """
            SELECT application_name, state,
                   coalesce(pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                                 ELSE pg_current_wal_lsn() END, replay_lsn), 0)::bigint
              FROM pg_stat_replication
            """ + " WHERE " + OWN_INSTANCE + "\n ORDER BY application_name";
    /** Only the lines of the operator's own file, so settings from the image or ALTER SYSTEM are not judged. */
    static final String FILE_SETTINGS = """
            SELECT name, setting, applied, error FROM pg_file_settings
             WHERE sourcefile LIKE '%' || ? ORDER BY seqno""";
    static final String PENDING_RESTART = "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name";
    static final String RELOAD = "SELECT pg_reload_conf()";

    private ServerQueries() {}

    /** Reads the server's state; {@code configFileName} is the file whose lines are reported. */
    public static ServerState read(Connection c, String configFileName) throws SQLException {
        String version;
        boolean inRecovery;
        try (PreparedStatement ps = c.prepareStatement(VERSION); ResultSet rs = ps.executeQuery()) {
            rs.next();
            version = rs.getString(1);
            inRecovery = rs.getBoolean(2);
        }
        // a standby cluster's primary, in recovery, has its own replicas (cascading) too
        List<ServerState.Replica> replicas = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(REPLICAS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                replicas.add(new ServerState.Replica(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        List<ServerState.FileSetting> settings = new ArrayList<>();
        if (configFileName != null) {
            try (PreparedStatement ps = c.prepareStatement(FILE_SETTINGS)) {
                ps.setString(1, configFileName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        settings.add(new ServerState.FileSetting(rs.getString(1), rs.getString(2),
                                rs.getBoolean(3), rs.getString(4)));
                    }
                }
            }
        }
        List<String> pending = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PENDING_RESTART); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                pending.add(rs.getString(1));
            }
        }
        return new ServerState(version, inRecovery, replicas, settings, pending);
    }

    public static void reload(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELOAD)) {
            ps.execute();
        }
    }
}
