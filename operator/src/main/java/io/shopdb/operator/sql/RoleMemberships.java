package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which roles a PostgresRole may join (spec.memberOf). A member can SET ROLE to the group and so holds everything
 * the group holds, transitively; a membership must grant nothing the API refuses directly. So a role may not join,
 * directly or through other groups:
 * <ul>
 *   <li>a role with SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS: attributes a PostgresRole cannot
 *       declare ({@link DesiredRole}); CREATEROLE too, since before PostgreSQL 16 it grants itself any non-superuser
 *       role, and after it still creates and administers roles beside the operator;</li>
 *   <li>a role in {@link #FORBIDDEN}: the operator's own roles and predefined roles that reach the server's files
 *       or programs, or every database regardless of grants.</li>
 * </ul>
 * Fixed names are refused at admission (CEL on spec.memberOf) and by role/RoleSpecs; {@link #problems} asks the
 * catalog for the rest (pg_roles, pg_auth_members).
 *
 * <p>Allowed on purpose: pg_monitor, pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables (monitoring).
 * pg_database_owner cannot be granted at all (PostgreSQL refuses).
 */
public final class RoleMemberships {

    /** Roles no PostgresRole may join, by exact name (role names are case-sensitive), with why. */
    public static final Map<String, String> FORBIDDEN = forbidden();

    /**
     * Per spec.memberOf entry (0-based), every role it reaches (itself, then the groups it is a member of, recursively)
     * that has a forbidden attribute or name; the entry itself first.
     */
    static final String REACHABLE = """
            WITH RECURSIVE wanted(i, name) AS (
                SELECT i - 1, name FROM unnest(?::text[]) WITH ORDINALITY AS w(name, i)
            ), reach(i, target, oid) AS (
                SELECT w.i, w.name, r.oid FROM wanted w JOIN pg_roles r ON r.rolname = w.name
              UNION
                SELECT reach.i, reach.target, m.roleid FROM reach JOIN pg_auth_members m ON m.member = reach.oid
            )
            SELECT reach.i, r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls
              FROM reach JOIN pg_roles r ON r.oid = reach.oid
             WHERE r.rolsuper OR r.rolcreatedb OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls
                OR r.rolname = ANY (?::text[])
             ORDER BY reach.i, r.rolname <> reach.target, r.rolname""";

    private static final String[] ATTRIBUTES = {"SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"};

    private RoleMemberships() {}

    private static Map<String, String> forbidden() {
        Map<String, String> f = new LinkedHashMap<>();
        // the operator's own roles (cluster/ClusterNames.SUPERUSER, REPLICATION_USER, pooler/PoolerNames.AUTH_ROLE)
        f.put("postgres", "the superuser the operator connects as");
        f.put("replicator", "the cluster's replication role, which streams every database");
        f.put("shopdb_pooler", "the pooler's lookup role, which reads every role's password verifier");
        // predefined roles that reach the server's files or programs
        f.put("pg_execute_server_program", "runs programs on the database server (COPY ... PROGRAM)");
        f.put("pg_read_server_files", "reads any file the server can, its keys and credentials included");
        f.put("pg_write_server_files", "writes any file the server can, its configuration included");
        // predefined roles that bypass grants in every database; grant per database through spec.grants instead
        f.put("pg_read_all_data", "reads every table of every database regardless of grants, pg_authid's password verifiers included");
        f.put("pg_write_all_data", "writes every table of every database regardless of grants");
        f.put("pg_maintain", "locks, vacuums and reindexes every table regardless of grants (PostgreSQL 17)");
        // predefined roles that act on the server as a whole, which the operator runs
        f.put("pg_signal_backend", "cancels and terminates other roles' sessions, replication and the pooler's included");
        f.put("pg_signal_autovacuum_worker", "terminates autovacuum workers (PostgreSQL 18)");
        f.put("pg_checkpoint", "forces checkpoints, server-wide I/O the operator leaves to the server");
        f.put("pg_use_reserved_connections", "takes the connection slots kept for the operator (PostgreSQL 16)");
        f.put("pg_create_subscription", "makes the server connect to other hosts (CREATE SUBSCRIPTION, PostgreSQL 16)");
        return Collections.unmodifiableMap(f);
    }

    /** Why {@code role} may not be joined (its own name, as for spec.memberOf[i]), or null when its name is not forbidden. */
    public static String refusal(String role) {
        String why = FORBIDDEN.get(role);
        return why == null ? null : role + " cannot be joined: " + why;
    }

    /**
     * Problems with {@code memberOf}, one per entry at most, each naming spec.memberOf[i], from the catalog: the
     * entry or a group it belongs to (transitively) has a forbidden attribute or name. Roles that do not exist are
     * no problem here (they cannot be granted yet). One query, names bound as arrays.
     */
    public static List<String> problems(Connection c, List<String> memberOf) throws SQLException {
        if (memberOf.isEmpty()) {
            return List.of();
        }
        Map<Integer, String> first = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(REACHABLE)) {
            ps.setArray(1, c.createArrayOf("text", memberOf.toArray()));
            ps.setArray(2, c.createArrayOf("text", FORBIDDEN.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    if (!first.containsKey(i)) {
                        first.put(i, problem(memberOf.get(i), rs.getString(2), attributes(rs)));
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        first.forEach((i, problem) -> out.add("spec.memberOf[" + i + "]: " + problem));
        return out;
    }

    private static List<String> attributes(ResultSet rs) throws SQLException {
        List<String> held = new ArrayList<>();
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            if (rs.getBoolean(3 + a)) {
                held.add(ATTRIBUTES[a]);
            }
        }
        return held;
    }

    private static String problem(String target, String reached, List<String> attributes) {
        String subject = reached.equals(target) ? target : target + " is a member of " + reached + ", which";
        if (!attributes.isEmpty()) {
            return subject + " has " + String.join(", ", attributes) + ": a PostgresRole cannot gain that through a membership";
        }
        return subject + " cannot be joined: " + FORBIDDEN.get(reached);
    }
}
