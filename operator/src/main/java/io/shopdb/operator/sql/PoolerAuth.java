package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What PgBouncer's auth_query needs on the server, the pattern CloudNativePG uses: a login role with no
 * privilege of its own, and in each database a {@code SECURITY DEFINER} function, owned by the superuser that
 * installs it, that returns one role's SCRAM verifier. The role may call that function and nothing else (no
 * SELECT on pg_authid), so PgBouncer finds every password (a rotated one at the next login) without any
 * password being copied into the pooler. Superusers and replication roles are never returned: they cannot
 * log in through a pooler. PgBouncer 1.18 runs auth_query in the database the client asks for (auth_dbname
 * came in 1.19), so the function is installed in every database, and in template1 for databases made later.
 */
public final class PoolerAuth {
    public static final String SCHEMA = "shopdb_pooler";
    public static final String FUNCTION = "user_lookup";
    /** What PgBouncer runs; $1 is the user name the client gave. */
    public static final String TEMPLATE = "template1";
    public static final String AUTH_QUERY = "SELECT usename, passwd FROM " + SCHEMA + "." + FUNCTION + "($1)";

    static final String CONNECTABLE_DATABASES =
            "SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template0' ORDER BY datname";
    static final String INSTALLED = "SELECT p.prosecdef AND pg_get_userbyid(p.proowner) = current_user "
            + "AND has_function_privilege(?, p.oid, 'EXECUTE') AND NOT has_function_privilege('public', p.oid, 'EXECUTE') "
            + "AND p.prosrc = ? FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ? AND p.proname = ?";
    /** The body, compared with pg_proc.prosrc so an edited function is put back. */
    static final String BODY = """
             SELECT rolname, CASE WHEN rolvaliduntil IS NULL OR rolvaliduntil > now() THEN rolpassword END
               FROM pg_catalog.pg_authid
              WHERE rolname = i_username AND rolcanlogin AND NOT rolsuper AND NOT rolreplication
            """;

    private PoolerAuth() {}

    /** The lookup role exists, may log in with {@code password}, and has no other attribute; true when it changed. */
    public static boolean ensureRole(Connection c, String role, char[] password) throws SQLException {
        boolean changed = false;
        Boolean plain = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole "
                + "OR rolreplication OR rolbypassrls) FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    plain = rs.getBoolean(1);
                }
            }
        }
        try (Statement st = c.createStatement()) {
            if (plain == null) {
                st.execute("CREATE ROLE " + Identifiers.quote(role) + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
                changed = true;
            } else if (!plain) {
                st.execute("ALTER ROLE " + Identifiers.quote(role) + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
                changed = true;
            }
        }
        return RoleCatalog.ensurePassword(c, role, password) || changed;
    }

    /** Databases the function must be in (every one that admits connections, template1 included). */
    public static List<String> databases(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CONNECTABLE_DATABASES)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Installs (or repairs) the lookup function in the connection's database; true when it changed anything. */
    public static boolean ensureFunction(Connection c, String role) throws SQLException {
        String quotedRole = Identifiers.quote(role);
        try (PreparedStatement ps = c.prepareStatement(INSTALLED)) {
            ps.setString(1, role);
            ps.setString(2, BODY);
            ps.setString(3, SCHEMA);
            ps.setString(4, FUNCTION);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            String fn = Identifiers.quote(SCHEMA) + "." + Identifiers.quote(FUNCTION) + "(text)";
            st.execute("CREATE SCHEMA IF NOT EXISTS " + Identifiers.quote(SCHEMA));
            st.execute("REVOKE ALL ON SCHEMA " + Identifiers.quote(SCHEMA) + " FROM PUBLIC");
            st.execute("GRANT USAGE ON SCHEMA " + Identifiers.quote(SCHEMA) + " TO " + quotedRole);
            // search_path pinned: a SECURITY DEFINER function must not resolve names through the caller's path
            st.execute("CREATE OR REPLACE FUNCTION " + Identifiers.quote(SCHEMA) + "." + Identifiers.quote(FUNCTION)
                    + "(i_username text, OUT usename name, OUT passwd text) RETURNS record LANGUAGE sql STABLE SECURITY DEFINER"
                    + " SET search_path = pg_catalog, pg_temp AS $body$" + BODY + "$body$");
            st.execute("REVOKE ALL ON FUNCTION " + fn + " FROM PUBLIC");
            st.execute("GRANT EXECUTE ON FUNCTION " + fn + " TO " + quotedRole);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return true;
    }
}
