package io.shopdb.operator.sql;

import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads roles, sets passwords and drops roles. Plans come from {@link RolePlan}; apply them with {@link SqlSteps}. */
public final class RoleCatalog {
    /** Validity as epoch microseconds, so no time zone or infinity parsing happens client-side. */
    static final String ROLE = """
            SELECT rolcanlogin, rolinherit, rolconnlimit,
                   CASE WHEN rolvaliduntil IS NULL OR NOT isfinite(rolvaliduntil) THEN NULL
                        ELSE (extract(epoch FROM rolvaliduntil) * 1000000)::bigint END,
                   rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                   oid = 10 OR rolname = current_user OR rolname LIKE 'pg\\_%'
              FROM pg_roles WHERE rolname = ?""";
    static final String MEMBER_OF = """
            SELECT g.rolname FROM pg_auth_members m
              JOIN pg_roles g ON g.oid = m.roleid
              JOIN pg_roles u ON u.oid = m.member
             WHERE u.rolname = ?""";
    static final String VERIFIER = "SELECT rolpassword FROM pg_authid WHERE rolname = ?";
    static final String MISSING = "SELECT n FROM unnest(?::text[]) AS n WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = n)";
    /**
     * What depends on the role, from the shared pg_shdepend catalog (visible from any database):
     * first column true for ownership ('o'; default-ACL rows are privilege settings, not data, and DROP OWNED
     * removes them), second where. Pinned entries ('p', before PostgreSQL 15) are the bootstrap superuser.
     */
    static final String DEPENDENCIES = """
            SELECT DISTINCT s.deptype = 'o' AND s.classid <> 'pg_default_acl'::regclass,
                   CASE WHEN s.dbid <> 0 THEN 'database ' || d.datname
                        WHEN s.classid = 'pg_database'::regclass THEN 'database ' || od.datname
                        ELSE 'a shared object' END,
                   s.dbid <> 0
              FROM pg_shdepend s
              LEFT JOIN pg_database d ON d.oid = s.dbid
              LEFT JOIN pg_database od ON s.classid = 'pg_database'::regclass AND od.oid = s.objid
             WHERE s.refclassid = 'pg_authid'::regclass AND s.deptype <> 'p'
               AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = ?)
             ORDER BY 2""";
    static final String OWNS_HERE = """
            SELECT count(*) FROM pg_shdepend s
             WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND s.deptype = 'o' AND s.classid <> 'pg_default_acl'::regclass
               AND s.refclassid = 'pg_authid'::regclass
               AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = ?)""";

    private RoleCatalog() {}

    /** Which of {@code names} are not roles on the server: one query, however many names. */
    public static List<String> missing(Connection c, java.util.Collection<String> names) throws SQLException {
        return namesNotFound(c, MISSING, names);
    }

    /** Runs {@code query} (one text[] parameter, one text column) over {@code names}: the names a catalog lacks. */
    static List<String> namesNotFound(Connection c, String query, java.util.Collection<String> names) throws SQLException {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The role, or null when it does not exist. */
    public static ActualRole read(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ROLE)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long micros = rs.getLong(4);
                Instant validUntil = rs.wasNull() ? null
                        : Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
                return new ActualRole(name, rs.getBoolean(1), rs.getBoolean(2), rs.getInt(3), validUntil,
                        memberOf(c, name), rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8),
                        rs.getBoolean(9), rs.getBoolean(10));
            }
        }
    }

    private static Set<String> memberOf(Connection c, String name) throws SQLException {
        Set<String> parents = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(MEMBER_OF)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parents.add(rs.getString(1));
                }
            }
        }
        return parents;
    }

    /**
     * Sets the password when the stored SCRAM verifier was not made from it; returns true when it did.
     * Hashing happens client-side, so the password is never sent, logged or part of a statement.
     * The caller's array is left intact (pgjdbc wipes the copy it gets).
     */
    public static boolean ensurePassword(Connection c, String role, char[] password) throws SQLException {
        Identifiers.quote(role); // validates before anything is sent
        String verifier = null;
        boolean exists = false;
        try (PreparedStatement ps = c.prepareStatement(VERIFIER)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    exists = true;
                    verifier = rs.getString(1);
                }
            }
        }
        if (!exists) {
            throw new IllegalArgumentException("role " + role + " does not exist");
        }
        if (ScramVerifier.matches(verifier, password)) {
            return false;
        }
        c.unwrap(PGConnection.class).alterUserPassword(role, password.clone(), "scram-sha-256");
        return true;
    }

    /**
     * Revokes everything granted to the role in the connection's database (DROP OWNED BY, which for a role
     * owning nothing here only removes privileges and default ACLs). Refuses, changing nothing, when the role
     * owns objects here. Call it in each database the operator manages before {@link #drop}; privileges in
     * databases the operator does not manage are left for a person, and {@link #drop} names them.
     */
    public static void dropPrivileges(Connection c, String role) throws SQLException, RoleInUseException {
        String quoted = Identifiers.quote(role);
        inTransaction(c, () -> {
            try (PreparedStatement ps = c.prepareStatement(OWNS_HERE)) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new RoleInUseException(role, List.of("objects in database " + c.getCatalog()), List.of());
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP OWNED BY " + quoted);
            }
        });
    }

    /**
     * Drops the role when nothing depends on it; returns false when it did not exist. When it owns objects
     * (in any database, or a database itself) or still holds privileges somewhere, throws
     * {@link RoleInUseException} naming where, and nothing is changed. DROP ROLE removes the role's
     * memberships (both directions) in the same statement, so no separate REVOKE is needed.
     */
    public static boolean drop(Connection c, String role) throws SQLException, RoleInUseException {
        String quoted = Identifiers.quote(role);
        ActualRole actual = read(c, role);
        if (actual == null) {
            return false;
        }
        if (actual.protectedRole()) {
            throw new IllegalStateException("role " + role + " is not managed by the operator and is not dropped");
        }
        inTransaction(c, () -> {
            List<String> owns = new ArrayList<>();
            List<String> privilegesIn = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(DEPENDENCIES)) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        boolean owner = rs.getBoolean(1);
                        String where = rs.getString(2);
                        if (owner) {
                            owns.add(rs.getBoolean(3) ? "objects in " + where : where);
                        } else if (!privilegesIn.contains(where)) {
                            privilegesIn.add(where);
                        }
                    }
                }
            }
            if (!owns.isEmpty() || !privilegesIn.isEmpty()) {
                throw new RoleInUseException(role, owns, privilegesIn);
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP ROLE " + quoted);
            }
        });
        return true;
    }

    private interface Work {
        void run() throws SQLException, RoleInUseException;
    }

    private static void inTransaction(Connection c, Work work) throws SQLException, RoleInUseException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RoleInUseException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
