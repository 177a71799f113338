package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualGrants.DefaultHeld;
import io.shopdb.operator.sql.ActualGrants.Held;
import io.shopdb.operator.sql.ObjectRef.TypeName;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one role's effective privileges in the database the connection is on. Effective means the ACL the
 * server applies: a NULL acl column stands for the built-in default, hence
 * {@code aclexplode(coalesce(acl, acldefault('<type>'::"char", owner)))} (the "char" cast picks the right
 * overload). Rows where the grantee is the owner are the owner's own rights, not grants, and are dropped
 * here; grants to PUBLIC (grantee 0) never match a role's oid.
 */
public final class GrantCatalog {
    static final String ROLE = "SELECT oid FROM pg_roles WHERE rolname = ?";
    /** Schemas users can make: PostgreSQL reserves the pg_ prefix (pg_catalog, pg_toast, pg_temp_N, ...). */
    static final String USER_SCHEMA = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'";
    static final String DATABASE = """
            SELECT d.datname, d.datdba = r.oid, a.privilege_type, a.is_grantable
              FROM pg_database d
             CROSS JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) r
              LEFT JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d'::"char", d.datdba))) a
                     ON a.grantee = r.oid AND a.grantee <> d.datdba
             WHERE d.datname = current_database()""";
    static final String SCHEMAS = """
            SELECT n.nspname, n.nspowner = r.oid, a.privilege_type, a.is_grantable
              FROM pg_namespace n
             CROSS JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) r
              LEFT JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))) a
                     ON a.grantee = r.oid AND a.grantee <> n.nspowner
             WHERE\s""" + USER_SCHEMA;
    /** Tables in the GRANT ... ON TABLE sense (r, p, v, m, f) and sequences (S), which have their own ACL type. */
    static final String RELATIONS = """
            SELECT c.relkind = 'S', n.nspname, c.relname, c.relowner = r.oid, a.privilege_type, a.is_grantable
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) r
              LEFT JOIN LATERAL aclexplode(coalesce(c.relacl,
                         acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
                     ON a.grantee = r.oid AND a.grantee <> c.relowner
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND\s""" + USER_SCHEMA;
    /** Input argument types as (schema, typname) pairs, so a function's signature is built from quoted names. */
    static final String FUNCTIONS = """
            SELECT n.nspname, p.proname,
                   ARRAY(SELECT tn.nspname FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)
                           JOIN pg_type ty ON ty.oid = u.t JOIN pg_namespace tn ON tn.oid = ty.typnamespace
                          ORDER BY u.i),
                   ARRAY(SELECT ty.typname FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)
                           JOIN pg_type ty ON ty.oid = u.t ORDER BY u.i),
                   p.proowner = r.oid, a.privilege_type, a.is_grantable
              FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
             CROSS JOIN (SELECT oid FROM pg_roles WHERE rolname = ?) r
              LEFT JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f'::"char", p.proowner))) a
                     ON a.grantee = r.oid AND a.grantee <> p.proowner
             WHERE\s""" + USER_SCHEMA;
    /**
     * Default ACLs naming the role. Entries are stored as-is (no acldefault: a per-schema entry only adds
     * to the defaults); the creator's own entry in a database-wide row is its owner right, not a grant.
     */
    static final String DEFAULTS = """
            SELECT cr.rolname, n.nspname, d.defaclobjtype, a.privilege_type, a.is_grantable
              FROM pg_default_acl d
              JOIN pg_roles cr ON cr.oid = d.defaclrole
              LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
             CROSS JOIN LATERAL aclexplode(d.defaclacl) a
             WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)
               AND a.grantee <> d.defaclrole
               AND d.defaclobjtype IN ('r', 'S', 'f')""";
    static final String ROLES = "SELECT rolname FROM pg_roles";
    /** Only the roles a plan asks about (default-privilege creators): the same answer, whatever the number of roles. */
    static final String ROLES_NAMED = "SELECT rolname FROM pg_roles WHERE rolname = ANY(?)";

    private GrantCatalog() {}

    /** Reads the role's grants in the connection's database; the role must exist. */
    public static ActualGrants read(Connection c, String role) throws SQLException {
        return read(c, role, null);
    }

    /**
     * As {@link #read(Connection, String)}, but of all roles only {@code creators} are looked up (those of
     * {@link DesiredGrants#defaults()}, all a plan needs): a constant number of rows per read however many
     * roles the server has. Null reads every role name.
     */
    public static ActualGrants read(Connection c, String role, java.util.Collection<String> creators) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ROLE)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("role " + role + " does not exist");
                }
            }
        }
        Set<ObjectRef> objects = new HashSet<>();
        Set<ObjectRef> owned = new HashSet<>();
        Set<Held> held = new HashSet<>();
        String database = null;
        try (PreparedStatement ps = c.prepareStatement(DATABASE)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    database = rs.getString(1);
                    collect(ObjectRef.database(database), rs, 2, objects, owned, held);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SCHEMAS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    collect(ObjectRef.schema(rs.getString(1)), rs, 2, objects, owned, held);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(RELATIONS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectRef o = rs.getBoolean(1) ? ObjectRef.sequence(rs.getString(2), rs.getString(3))
                            : ObjectRef.table(rs.getString(2), rs.getString(3));
                    collect(o, rs, 4, objects, owned, held);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(FUNCTIONS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] typeSchemas = strings(rs.getArray(3));
                    String[] typeNames = strings(rs.getArray(4));
                    List<TypeName> args = new ArrayList<>();
                    for (int i = 0; i < typeNames.length; i++) {
                        args.add(new TypeName(typeSchemas[i], typeNames[i]));
                    }
                    collect(ObjectRef.function(rs.getString(1), rs.getString(2), args), rs, 5, objects, owned, held);
                }
            }
        }
        Set<DefaultHeld> defaults = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(DEFAULTS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    defaults.add(new DefaultHeld(rs.getString(1), rs.getString(2),
                            ObjectKind.fromDefaultAclType(rs.getString(3).charAt(0)), rs.getString(4), rs.getBoolean(5)));
                }
            }
        }
        Set<String> roles = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(creators == null ? ROLES : ROLES_NAMED)) {
            if (creators != null) {
                ps.setArray(1, c.createArrayOf("text", creators.toArray()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    roles.add(rs.getString(1));
                }
            }
        }
        return new ActualGrants(role, database, objects, owned, held, defaults, roles);
    }

    /** Columns from {@code col}: owned-by-role, privilege_type (null when none), is_grantable. */
    private static void collect(ObjectRef o, ResultSet rs, int col, Set<ObjectRef> objects, Set<ObjectRef> owned,
                                Set<Held> held) throws SQLException {
        objects.add(o);
        if (rs.getBoolean(col)) {
            owned.add(o);
        }
        String privilege = rs.getString(col + 1);
        if (privilege != null) {
            held.add(new Held(o, privilege, rs.getBoolean(col + 2)));
        }
    }

    private static String[] strings(Array array) throws SQLException {
        try {
            return (String[]) array.getArray();
        } finally {
            array.free();
        }
    }
}
