package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads databases and their contents, reports status and drops databases. Plans come from {@link DatabasePlan}. */
public final class DatabaseCatalog {
    static final String DATABASE = """
            SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype
              FROM pg_database WHERE datname = ?""";
    static final String SCHEMAS = "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE "
            + GrantCatalog.USER_SCHEMA;
    static final String EXTENSIONS = """
            SELECT e.extname, e.extversion, n.nspname
              FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace""";
    static final String STATUS = "SELECT pg_get_userbyid(datdba), pg_database_size(oid) FROM pg_database WHERE datname = ?";
    static final String MISSING = "SELECT n FROM unnest(?::text[]) AS n WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = n)";
    static final String SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()";
    /** object_in_use: DROP DATABASE while others are connected. */
    static final String OBJECT_IN_USE = "55006";

    private DatabaseCatalog() {}

    /**
     * Which of {@code names} are not databases on the server, read through any connection (pg_database is shared):
     * asked before a connection to one of them, which would otherwise wait for a pool that cannot connect.
     */
    /** Whether the server has a database named {@code name} (compared exactly). */
    public static boolean exists(Connection c, String name) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public static List<String> missing(Connection c, Collection<String> names) throws SQLException {
        return RoleCatalog.namesNotFound(c, MISSING, names);
    }

    /** The database, or null when it does not exist. */
    public static ActualDatabase read(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DATABASE)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new ActualDatabase(name, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)) : null;
            }
        }
    }

    /** Schemas and extensions of the database the connection is on. */
    public static ActualDatabase.Contents readContents(Connection c) throws SQLException {
        Map<String, String> schemas = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SCHEMAS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                schemas.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, ActualDatabase.Extension> extensions = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(EXTENSIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                extensions.put(rs.getString(1), new ActualDatabase.Extension(rs.getString(2), rs.getString(3)));
            }
        }
        return new ActualDatabase.Contents(schemas, extensions);
    }

    /** Owner and size for status, or null when the database does not exist. */
    public static ActualDatabase.Status status(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STATUS)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new ActualDatabase.Status(rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    /**
     * Drops the database (reclaimPolicy Delete); returns false when it did not exist. Sessions are not
     * terminated (no WITH (FORCE)): while an application is connected the drop fails with a message saying
     * so, and the next reconcile retries. Must not be called on a connection to the database itself.
     */
    public static boolean drop(Connection c, String name) throws SQLException {
        return drop(c, name, false);
    }

    /**
     * As {@link #drop(Connection, String)}; {@code endSessions}: WITH (FORCE), for a scratch database the operator made
     * and no application uses (a budget check's copy), where a session of the operator's own pools or metrics opened
     * meanwhile must not keep it alive.
     */
    public static boolean drop(Connection c, String name, boolean endSessions) throws SQLException {
        String quoted = Identifiers.quote(name);
        if (read(c, name) == null) {
            return false;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true); // DROP DATABASE cannot run inside a transaction block
        try (Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + quoted + (endSessions ? " WITH (FORCE)" : ""));
            return true;
        } catch (SQLException e) {
            if (OBJECT_IN_USE.equals(e.getSQLState())) {
                throw new SQLException("database " + name + " was not dropped: " + sessions(c, name)
                        + " other session(s) are connected to it; disconnect them and retry", e.getSQLState(), e);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static long sessions(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SESSIONS)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
