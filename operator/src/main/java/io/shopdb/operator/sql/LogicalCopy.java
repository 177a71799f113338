package io.shopdb.operator.sql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The SQL of a major upgrade by logical replication: on the source a publication of every table per database, on the
 * target a subscription per database (its replication slot on the source named after the database's oid there, unique
 * per source server), their progress, the cutover's read-only switch, and the sequences that logical replication does
 * not carry. Identifiers through {@link Identifiers}, values bound or through {@link Literals}.
 */
public final class LogicalCopy {
    public static final String PUBLICATION = "shopdb_upgrade";

    private LogicalCopy() {}

    /** A database to copy: not a template, connectable, not the maintenance database postgres (each server has its own). */
    public record SourceDatabase(String name, long oid, String owner, String encoding, String collate, String ctype) {
        /** The subscription on the target and its replication slot on the source. */
        public String subscription() {
            return PUBLICATION + "_" + oid;
        }
    }

    static final String DATABASES = """
            SELECT d.datname, d.oid, r.rolname, pg_encoding_to_char(d.encoding), d.datcollate, d.datctype
              FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
             WHERE d.datallowconn AND NOT d.datistemplate AND d.datname <> 'postgres'
             ORDER BY 1""";

    public static List<SourceDatabase> databases(Connection c) throws SQLException {
        List<SourceDatabase> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(DATABASES)) {
            while (rs.next()) {
                out.add(new SourceDatabase(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
            }
        }
        return out;
    }

    /** CREATE DATABASE as the source has it (owner, encoding, locale), from template0: the schema restore fills it. */
    public static void createDatabase(Connection target, SourceDatabase db) throws SQLException {
        try (Statement st = target.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(db.name()) + " OWNER " + Identifiers.quote(db.owner()) + " TEMPLATE template0 ENCODING "
                    + Literals.quote(db.encoding()) + " LC_COLLATE " + Literals.quote(db.collate()) + " LC_CTYPE " + Literals.quote(db.ctype()));
        }
    }

    /** Drops a database of the target a failed schema copy left half filled. */
    public static void dropDatabase(Connection target, String name) throws SQLException {
        try (Statement st = target.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(name) + " WITH (FORCE)");
        }
    }

    public static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** FOR ALL TABLES: tables created later are published too (their DDL is not: see the upgrade's docs). */
    public static void ensurePublication(Connection sourceDb) throws SQLException {
        if (!exists(sourceDb, "SELECT 1 FROM pg_publication WHERE pubname = ?", PUBLICATION)) {
            try (Statement st = sourceDb.createStatement()) {
                st.execute("CREATE PUBLICATION " + Identifiers.quote(PUBLICATION) + " FOR ALL TABLES");
            }
        }
    }

    /**
     * The target's subscription of one database, copying the existing rows first; a disabled one (a cutover given up)
     * is enabled again. {@code conninfo} holds the source's superuser password: this session logs no statement and no
     * failing statement, so it never reaches the target's server log; the subscription is dropped at the cutover.
     */
    public static void ensureSubscription(Connection targetDb, String name, String conninfo) throws SQLException {
        try (PreparedStatement ps = targetDb.prepareStatement("SELECT subenabled FROM pg_subscription WHERE subname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!rs.getBoolean(1)) {
                        setEnabled(targetDb, name, true);
                    }
                    return;
                }
            }
        }
        try (Statement st = targetDb.createStatement()) {
            st.execute("SET log_statement = 'none'");
            st.execute("SET log_min_error_statement = 'panic'");
            st.execute("CREATE SUBSCRIPTION " + Identifiers.quote(name) + " CONNECTION " + Literals.quote(conninfo) + " PUBLICATION "
                    + Identifiers.quote(PUBLICATION) + " WITH (copy_data = true, slot_name = " + Literals.quote(name) + ")");
            st.execute("RESET log_min_error_statement");
            st.execute("RESET log_statement");
        }
    }

    /** Stops or resumes applying (the cutover stops it before the Services move, and resumes it if it gives up). */
    public static void setEnabled(Connection targetDb, String name, boolean enabled) throws SQLException {
        try (Statement st = targetDb.createStatement()) {
            st.execute("ALTER SUBSCRIPTION " + Identifiers.quote(name) + (enabled ? " ENABLE" : " DISABLE"));
        }
    }

    /** Whether the subscription's apply worker runs (a stopped one would make the cutover wait for nothing). */
    public static boolean applying(Connection targetDb, String name) throws SQLException {
        try (PreparedStatement ps = targetDb.prepareStatement(
                "SELECT count(*) FROM pg_stat_subscription WHERE subname = ? AND relid IS NULL AND pid IS NOT NULL")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    /**
     * Tables logical replication cannot follow: no primary key and no replica identity index or FULL. Published, their
     * UPDATEs and DELETEs would fail on the live source; the upgrade refuses to start with them listed.
     */
    public static List<String> tablesWithoutIdentity(Connection sourceDb) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = sourceDb.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                   AND (c.relreplident = 'n'
                        OR c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
                        OR c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident))
                 ORDER BY 1""")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Large objects are not replicated logically. */
    public static boolean hasLargeObjects(Connection sourceDb) throws SQLException {
        try (Statement st = sourceDb.createStatement(); ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_largeobject_metadata)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** A numeric setting minus what is in use: {@code usedSql} counts the users (slots, senders). */
    public static int free(Connection c, String setting, String usedSql) throws SQLException {
        int max = Integer.parseInt(setting(c, setting));
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(usedSql)) {
            rs.next();
            return max - rs.getInt(1);
        }
    }

    /** A libpq conninfo value, single-quoted (backslash and quote escaped), so no value adds a keyword. */
    public static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** How far a subscription's initial copy is: its tables, and those done (state r: ready, streaming). */
    public record Progress(int tables, int ready) {
        public boolean copied() { return ready == tables; }
    }

    public static Progress progress(Connection targetDb, String subscription) throws SQLException {
        try (PreparedStatement ps = targetDb.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE sr.srsubstate = 'r')
                  FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid WHERE s.subname = ?""")) {
            ps.setString(1, subscription);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Progress(rs.getInt(1), rs.getInt(2));
            }
        }
    }

    /**
     * Bytes of the source's WAL the slots have not confirmed (the largest of them); null while a slot is missing or has
     * confirmed nothing yet.
     */
    public static Long lagBytes(Connection source, Collection<String> slots) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("""
                SELECT count(*), count(confirmed_flush_lsn), max(pg_current_wal_lsn() - confirmed_flush_lsn)::bigint
                  FROM pg_replication_slots WHERE slot_name = ANY (?)""")) {
            ps.setArray(1, array(source, slots));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == slots.size() && rs.getInt(2) == slots.size() ? Math.max(0, rs.getLong(3)) : null;
            }
        }
    }

    /** The insert position: past every commit record written, also one acknowledged with synchronous_commit off. */
    public static String currentLsn(Connection source) throws SQLException {
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Whether every slot confirmed the source's WAL up to {@code lsn}: the target applied every commit before it. */
    public static boolean confirmed(Connection source, Collection<String> slots, String lsn) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT count(*) FILTER (WHERE confirmed_flush_lsn >= ?::pg_lsn) FROM pg_replication_slots WHERE slot_name = ANY (?)")) {
            ps.setString(1, lsn);
            ps.setArray(2, array(source, slots));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == slots.size();
            }
        }
    }

    /**
     * default_transaction_read_only for every session of the server, at once (a reload; sessions take it at their next
     * command) and across restarts (postgresql.auto.conf): a transaction that writes fails with SQLSTATE 25006.
     */
    public static void setReadOnly(Connection server, boolean readOnly) throws SQLException {
        try (Statement st = server.createStatement()) {
            st.execute("SET default_transaction_read_only = off"); // this session may still write (the RESET below, drops)
            st.execute(readOnly ? "ALTER SYSTEM SET default_transaction_read_only = on" : "ALTER SYSTEM RESET default_transaction_read_only");
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * Ends every client session but this one and waits (up to 5 s each) until they have exited: transactions under way
     * roll back (their clients retry), a commit under way has either landed in the WAL or not happened, sessions that
     * began read-write are gone, and clients reconnect to wherever the Services lead. Returns how many sessions begun
     * before {@code since} (server time) are still there (such a session may still commit: the cutover must not go on);
     * sessions begun after it are read-only.
     */
    public static int terminateClients(Connection server, java.sql.Timestamp since) throws SQLException {
        try (Statement st = server.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
            st.execute("SELECT pg_stat_clear_snapshot()");
        }
        try (PreparedStatement ps = server.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND pid <> pg_backend_pid() AND backend_start < ?")) {
            ps.setTimestamp(1, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The server's clock now. */
    public static java.sql.Timestamp serverNow(Connection server) throws SQLException {
        try (Statement st = server.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    /** Whether the upgrade's own read-only switch (postgresql.auto.conf, see {@link #setReadOnly}) is on. */
    public static boolean readOnlyBySwitch(Connection server) throws SQLException {
        try (Statement st = server.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_file_settings"
                + " WHERE name = 'default_transaction_read_only' AND sourcefile LIKE '%postgresql.auto.conf' AND setting = 'on'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /** A sequence's value on the source (null last_value: never used, nothing to carry). */
    public record SequenceValue(String schema, String name, long lastValue) {}

    public static List<SequenceValue> sequences(Connection sourceDb) throws SQLException {
        List<SequenceValue> out = new ArrayList<>();
        try (Statement st = sourceDb.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL ORDER BY 1, 2")) {
            while (rs.next()) {
                out.add(new SequenceValue(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }

    public static void setSequences(Connection targetDb, List<SequenceValue> values) throws SQLException {
        // never backwards: a target that took writes (a cutover retried after a crash) keeps its higher values
        try (PreparedStatement ps = targetDb.prepareStatement("SELECT setval(?::regclass, greatest(?, (SELECT coalesce(last_value, 0)"
                + " FROM pg_sequences WHERE schemaname = ? AND sequencename = ?)), true)")) {
            for (SequenceValue v : values) {
                ps.setString(1, Identifiers.quote(v.schema()) + "." + Identifiers.quote(v.name()));
                ps.setLong(2, v.lastValue());
                ps.setString(3, v.schema());
                ps.setString(4, v.name());
                ps.execute();
            }
        }
    }

    /** Drops the target's subscription without touching the source (its slot is dropped there, see {@link #dropSource}). */
    public static void dropSubscription(Connection targetDb, String name) throws SQLException {
        if (exists(targetDb, "SELECT 1 FROM pg_subscription WHERE subname = ?", name)) {
            try (Statement st = targetDb.createStatement()) {
                st.execute("ALTER SUBSCRIPTION " + Identifiers.quote(name) + " DISABLE");
                st.execute("ALTER SUBSCRIPTION " + Identifiers.quote(name) + " SET (slot_name = NONE)");
                st.execute("DROP SUBSCRIPTION " + Identifiers.quote(name));
            }
        }
    }

    /** The source's slot (no WAL kept for a subscriber that is gone) and publication, on a read-only source too. */
    public static void dropSource(Connection sourceDb, String slot) throws SQLException {
        dropSlot(sourceDb, slot);
        try (Statement st = sourceDb.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(PUBLICATION));
        }
    }

    /** Drops a replication slot (its walsender, if one still runs, is ended first); on a read-only server too. */
    public static void dropSlot(Connection source, String slot) throws SQLException {
        try (Statement st = source.createStatement()) {
            st.execute("SET default_transaction_read_only = off");
        }
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            ps.setString(1, slot);
            ps.execute();
        }
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Array array(Connection c, Collection<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }
}
