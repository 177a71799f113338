package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Copies a server's roles to another: attributes, password hashes (a SCRAM verifier is taken as it is, so every
 * password keeps working) and memberships. The servers' own roles are left out: pg_*, and those each cluster has
 * of its own (the superuser, the replication user). Roles that exist on the target are brought to the source's
 * attributes; nothing is dropped. Memberships in the predefined roles (pg_monitor, pg_read_all_data) come along; none
 * in or of a server's own roles (a member of the superuser could become it). The PostgresRole resources apply on the
 * target after the cutover as before.
 */
public final class RoleCopy {
    private RoleCopy() {}

    record Role(String name, boolean superuser, boolean inherit, boolean createRole, boolean createDb, boolean login,
                boolean replication, boolean bypassRls, int connectionLimit, String password, String validUntil) {
        String attributes() {
            return (superuser ? "SUPERUSER" : "NOSUPERUSER") + (inherit ? " INHERIT" : " NOINHERIT")
                    + (createRole ? " CREATEROLE" : " NOCREATEROLE") + (createDb ? " CREATEDB" : " NOCREATEDB")
                    + (login ? " LOGIN" : " NOLOGIN") + (replication ? " REPLICATION" : " NOREPLICATION")
                    + (bypassRls ? " BYPASSRLS" : " NOBYPASSRLS") + " CONNECTION LIMIT " + connectionLimit
                    + (password == null ? " PASSWORD NULL" : " PASSWORD " + Literals.quote(password))
                    + (validUntil == null ? "" : " VALID UNTIL " + Literals.quote(validUntil));
        }
    }

    static final String ROLES = """
            SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
                   rolconnlimit, rolpassword, rolvaliduntil::text
              FROM pg_authid WHERE rolname !~ '^pg_' AND NOT (rolname = ANY (?)) ORDER BY 1""";
    static final String MEMBERSHIPS = """
            SELECT r.rolname, m.rolname, am.admin_option FROM pg_auth_members am
              JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
             WHERE m.rolname !~ '^pg_' AND NOT (m.rolname = ANY (?)) AND NOT (r.rolname = ANY (?)) ORDER BY 1, 2""";

    /** Copies the roles of {@code source} (but {@code own}, each server's own) to {@code target}; returns how many. */
    public static int copy(Connection source, Connection target, Set<String> own) throws SQLException {
        List<Role> roles = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(ROLES)) {
            ps.setArray(1, source.createArrayOf("text", own.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    roles.add(new Role(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6),
                            rs.getBoolean(7), rs.getBoolean(8), rs.getInt(9), rs.getString(10), rs.getString(11)));
                }
            }
        }
        List<String[]> memberships = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(MEMBERSHIPS)) {
            ps.setArray(1, source.createArrayOf("text", own.toArray()));
            ps.setArray(2, source.createArrayOf("text", own.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    memberships.add(new String[]{rs.getString(1), rs.getString(2), String.valueOf(rs.getBoolean(3))});
                }
            }
        }
        try (Statement st = target.createStatement()) {
            for (Role r : roles) {
                boolean exists;
                try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                    ps.setString(1, r.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        exists = rs.next();
                    }
                }
                st.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + Identifiers.quote(r.name()) + " WITH " + r.attributes());
            }
            for (String[] m : memberships) {
                boolean member;
                try (PreparedStatement ps = target.prepareStatement("SELECT pg_has_role(?, ?, 'MEMBER')")) {
                    ps.setString(1, m[1]);
                    ps.setString(2, m[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        member = rs.getBoolean(1);
                    }
                }
                if (!member) {
                    st.execute("GRANT " + Identifiers.quote(m[0]) + " TO " + Identifiers.quote(m[1]) + (Boolean.parseBoolean(m[2]) ? " WITH ADMIN OPTION" : ""));
                }
            }
        }
        return roles.size();
    }
}
