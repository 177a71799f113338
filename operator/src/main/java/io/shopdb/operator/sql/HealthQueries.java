package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog snapshot behind the shopdb_pg_* metrics: a handful of cheap reads of statistics views, run on
 * an interval by a background task (never per scrape, never inside a reconcile). Every query is bounded
 * (LIMIT, a statement timeout), so a server with thousands of tables or sessions costs the same.
 */
public final class HealthQueries {
    /** Databases beyond this (smallest first dropped) get no per-database series: label cardinality stays bounded. */
    public static final int MAX_DATABASES = 20;
    public static final int WORST_TABLES = 5;
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    static final String SERVER = """
            SELECT current_setting('server_version'), pg_is_in_recovery(), current_setting('max_connections')::int""";
    /** Client sessions only: the server's own workers (autovacuum, walsender, ...) do not use max_connections slots the same way. */
    static final String CONNECTIONS = """
            SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity
             WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 1""";
    static final String DATABASES = """
            SELECT d.datname, coalesce(s.xact_commit, 0), coalesce(s.xact_rollback, 0), coalesce(s.deadlocks, 0),
                   coalesce(s.blks_hit, 0), coalesce(s.blks_read, 0), pg_database_size(d.oid), age(d.datfrozenxid)
              FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
             WHERE NOT d.datistemplate AND d.datallowconn
             ORDER BY pg_database_size(d.oid) DESC, d.datname LIMIT ?""";
    /** Our own session is excluded: its (short) transaction is the snapshot itself. */
    static final String OLDEST_TRANSACTION = """
            SELECT coalesce(extract(epoch FROM max(clock_timestamp() - xact_start)), 0)::float8 FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()""";
    static final String DEAD_TUPLES = """
            SELECT schemaname || '.' || relname, n_dead_tup FROM pg_stat_user_tables
             WHERE n_dead_tup > 0 ORDER BY n_dead_tup DESC, relid LIMIT ?""";
    /** Primary only (pg_current_wal_lsn fails during recovery). */
    static final String REPLICATION = """
            SELECT application_name, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint,
                   coalesce(extract(epoch FROM replay_lag), 0)::float8
              FROM pg_stat_replication
            """ + " WHERE " + ServerQueries.OWN_INSTANCE + "\n ORDER BY application_name";
    static final String SLOTS = """
            SELECT slot_name, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint
              FROM pg_replication_slots ORDER BY slot_name""";

    /** Opens a connection to another database of the same server (dead tuples are per database). */
    @FunctionalInterface
    public interface DatabaseOpener {
        Connection open(String database) throws SQLException;
    }

    private HealthQueries() {}

    public static HealthSnapshot read(Connection c, DatabaseOpener otherDatabases) throws SQLException {
        String version;
        boolean inRecovery;
        int maxConnections;
        try (PreparedStatement ps = prepare(c, SERVER); ResultSet rs = ps.executeQuery()) {
            rs.next();
            version = rs.getString(1);
            inRecovery = rs.getBoolean(2);
            maxConnections = rs.getInt(3);
        }
        Map<String, Long> connections = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(c, CONNECTIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                connections.put(rs.getString(1), rs.getLong(2));
            }
        }
        List<HealthSnapshot.Database> databases = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, DATABASES)) {
            ps.setInt(1, MAX_DATABASES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    databases.add(new HealthSnapshot.Database(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
                }
            }
        }
        double oldest;
        try (PreparedStatement ps = prepare(c, OLDEST_TRANSACTION); ResultSet rs = ps.executeQuery()) {
            rs.next();
            oldest = rs.getDouble(1);
        }
        List<HealthSnapshot.Replica> replicas = new ArrayList<>();
        List<HealthSnapshot.Slot> slots = new ArrayList<>();
        if (!inRecovery) {
            try (PreparedStatement ps = prepare(c, REPLICATION); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    replicas.add(new HealthSnapshot.Replica(rs.getString(1), rs.getLong(2), rs.getDouble(3)));
                }
            }
            try (PreparedStatement ps = prepare(c, SLOTS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    slots.add(new HealthSnapshot.Slot(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        List<HealthSnapshot.DeadTuples> worst = new ArrayList<>();
        for (HealthSnapshot.Database db : databases) {
            worst.addAll(deadTuples(c, db.name(), otherDatabases));
        }
        worst.sort(Comparator.comparingLong(HealthSnapshot.DeadTuples::deadTuples).reversed()
                .thenComparing(HealthSnapshot.DeadTuples::database).thenComparing(HealthSnapshot.DeadTuples::table));
        return new HealthSnapshot(version, inRecovery, maxConnections, connections, databases, oldest,
                List.copyOf(worst.subList(0, Math.min(WORST_TABLES, worst.size()))), replicas, slots);
    }

    /** The worst tables of one database; a database that cannot be opened (dropped meanwhile, no access) is skipped. */
    private static List<HealthSnapshot.DeadTuples> deadTuples(Connection main, String database, DatabaseOpener opener) {
        List<HealthSnapshot.DeadTuples> out = new ArrayList<>();
        try {
            boolean same = database.equals(main.getCatalog());
            Connection c = same ? main : opener.open(database);
            try (PreparedStatement ps = prepare(c, DEAD_TUPLES)) {
                ps.setInt(1, WORST_TABLES);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new HealthSnapshot.DeadTuples(database, rs.getString(1), rs.getLong(2)));
                    }
                }
            } finally {
                if (!same) {
                    c.close();
                }
            }
        } catch (SQLException e) {
            return List.of();
        }
        return out;
    }

    private static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        return ps;
    }
}
