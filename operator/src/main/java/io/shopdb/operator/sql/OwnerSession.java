package io.shopdb.operator.sql;

import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A session that acts as an application owner without ever being a superuser: what a migration's scripts run on.
 *
 * <p>{@code SET ROLE owner} on the operator's superuser connection is undone by a script's {@code RESET ROLE}, and the
 * rest of the script then runs as the superuser ({@code ALTER ROLE x SUPERUSER}, {@code COPY ... TO PROGRAM}). So the
 * caller's superuser connection to the database creates a throwaway login role {@code shopdb_mig_<hex>} (NOSUPERUSER
 * NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT, one connection, valid for an hour, a random password
 * hashed client side and forgotten once it has logged in) whose only powers are CONNECT on the database and membership
 * in the owner; the session LOGS IN as that role and does {@code SET ROLE owner} on every borrow, so what the scripts
 * create belongs to the owner as before. {@code RESET ROLE} returns to the throwaway role, which holds nothing
 * (NOINHERIT: not even the owner's rights). Afterwards what it may own is handed to the owner (REASSIGN OWNED), its
 * grants go (DROP OWNED) and the role is dropped; roles left by an operator that died meanwhile are swept once
 * expired.
 *
 * <p>The owner itself must not be a superuser by another name: a role that has, or reaches through its memberships,
 * SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS, or one of {@link RoleMemberships#FORBIDDEN} (the operator's own
 * roles, predefined roles that reach the server's files or programs), is refused ({@link RefusedRoleException}).
 *
 * <p>One physical connection serves every borrow in turn (Flyway uses one at a time with a session advisory lock),
 * so CONNECTION LIMIT 1 holds and no second login races the first one's backend exit.
 */
public final class OwnerSession implements AutoCloseable {
    public static final String ROLE_PREFIX = "shopdb_mig_";

    /** Every role {@code owner} is or reaches through memberships that has a refused attribute or name; itself first. */
    static final String POWERS = """
            WITH RECURSIVE reach(oid) AS (
                SELECT oid FROM pg_roles WHERE rolname = ?
              UNION
                SELECT m.roleid FROM reach JOIN pg_auth_members m ON m.member = reach.oid
            )
            SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolreplication, r.rolbypassrls
              FROM reach JOIN pg_roles r ON r.oid = reach.oid
             WHERE r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls OR r.rolname = ANY (?::text[])
             ORDER BY r.rolname <> ?, r.rolname""";
    static final String EXISTS = "SELECT 1 FROM pg_roles WHERE rolname = ?";
    /** Throwaway roles whose validity ended and that have no session left: an operator died before dropping them. */
    static final String EXPIRED = "SELECT r.rolname, (SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            + " WHERE m.member = r.oid LIMIT 1) FROM pg_roles r WHERE r.rolname LIKE 'shopdb\\_mig\\_%' AND r.rolvaliduntil < now()"
            + " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = r.rolname)";
    static final String ROLE_BACKENDS = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?";

    private static final String[] ATTRIBUTES = {"SUPERUSER", "CREATEROLE", "REPLICATION", "BYPASSRLS"};
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The owner may not be a migration's role: {@link #getMessage()} names the field, the role and why; {@code missing}: it does not exist. */
    public static class RefusedRoleException extends Exception {
        private final boolean missing;

        RefusedRoleException(String message, boolean missing) {
            super(message);
            this.missing = missing;
        }

        /** The role does not exist (yet): something to wait for rather than a spec to change. */
        public boolean missing() { return missing; }
    }

    private final Connection admin;
    private final boolean adminAutoCommit;
    private final String role;
    private final String owner;
    private final Connection login;
    private boolean lent;
    private String cleanupProblem;

    private OwnerSession(Connection admin, boolean adminAutoCommit, String role, String owner, Connection login) {
        this.admin = admin;
        this.adminAutoCommit = adminAutoCommit;
        this.role = role;
        this.owner = owner;
        this.login = login;
    }

    /**
     * Why {@code owner} may not run a migration, as "{@code field}: ..." (e.g. field "spec.runAs"), or null when it may.
     * Throws {@link RefusedRoleException} with {@code missing} set when the role does not exist.
     */
    public static String refusal(Connection admin, String owner, String field) throws SQLException, RefusedRoleException {
        try (PreparedStatement ps = admin.prepareStatement(EXISTS)) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RefusedRoleException(field + ": role " + owner + " does not exist (yet)", true);
                }
            }
        }
        try (PreparedStatement ps = admin.prepareStatement(POWERS)) {
            ps.setString(1, owner);
            ps.setArray(2, admin.createArrayOf("text", RoleMemberships.FORBIDDEN.keySet().toArray()));
            ps.setString(3, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String reached = rs.getString(1);
                List<String> held = new ArrayList<>();
                for (int a = 0; a < ATTRIBUTES.length; a++) {
                    if (rs.getBoolean(2 + a)) {
                        held.add(ATTRIBUTES[a]);
                    }
                }
                String subject = reached.equals(owner) ? owner : owner + " is a member of " + reached + ", which";
                String what = held.isEmpty() ? " is reserved: " + RoleMemberships.FORBIDDEN.get(reached) : " has " + String.join(", ", held);
                return field + ": " + subject + what + ". A migration, an import or a query budget runs as an application role, not as a superuser or one of"
                        + " the operator's roles: name a role without SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS (in itself or its groups)";
            }
        }
    }

    /**
     * Creates the throwaway role and logs in as it.
     *
     * @param admin    a superuser connection to the database the session is for (creates and later drops the role);
     *                 it must stay open until {@link #close()}
     * @param database where that database is (host, port, name, TLS); its credentials are not used
     * @param owner    the role the session acts as
     * @param field    how a refusal names the owner ("spec.runAs")
     * @throws RefusedRoleException the owner is missing or may not run migrations (nothing was created)
     */
    public static OwnerSession open(Connection admin, PgEndpoint database, String owner, String field) throws SQLException, RefusedRoleException {
        requireAllowedOwner(admin, owner, field);
        boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(true);
        sweepExpired(admin);
        String role = newLoginName();
        char[] password = newPassword();
        Connection login = null;
        try {
            createRole(admin, role, password, database.database(), owner, 1, Duration.ofHours(1));
            login = PgConnections.open(new PgEndpoint(database.host(), database.port(), database.database(), role, password,
                    database.sslMode(), database.trust()));
            OwnerSession session = new OwnerSession(admin, autoCommit, role, owner, login);
            OPEN.add(session);
            return session;
        } catch (SQLException | RuntimeException e) {
            if (login != null) {
                login.close();
            }
            try {
                dropRole(admin, role, owner);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            admin.setAutoCommit(autoCommit);
            throw e;
        } finally {
            Arrays.fill(password, '\0'); // the session never logs in again
        }
    }

    /** The owner is a valid name of a role that may act for the operator (see {@link #refusal}); nothing is created otherwise. */
    private static void requireAllowedOwner(Connection admin, String owner, String field) throws SQLException, RefusedRoleException {
        Identifiers.require(field, owner);
        String refused = refusal(admin, owner, field);
        if (refused != null) {
            throw new RefusedRoleException(refused, false);
        }
    }

    /** A throwaway login handed to another process (an import's pg_restore in an agent Job); the caller wipes the password. */
    public record Login(String role, char[] password) {
        @Override
        public String toString() {
            return "Login[" + role + "]";
        }
    }

    /**
     * The same throwaway role as {@link #open}, for a process elsewhere that logs in with it (an import's agent Job runs
     * pg_restore as it, with {@code --role owner}): the owner is checked as for a migration, the role may open
     * {@code connections} sessions to {@code database} until {@code validFor} has passed. Its name is the caller's
     * ({@code shopdb_mig_} + hex, e.g. derived from the Job, so that whoever ends the Job can drop it without reading
     * it back); a role of that name left by an earlier try is dropped first. Drop it with {@link #dropLogin}.
     *
     * @param admin a superuser connection to {@code database}
     * @throws RefusedRoleException the owner is missing or may not act for the operator (nothing was created)
     */
    public static Login createLogin(Connection admin, String role, String database, String owner, String field, int connections,
                                    Duration validFor) throws SQLException, RefusedRoleException {
        if (!role.startsWith(ROLE_PREFIX) || Identifiers.problem(role) != null) {
            throw new IllegalArgumentException("a throwaway role is named " + ROLE_PREFIX + "<hex>");
        }
        requireAllowedOwner(admin, owner, field);
        boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(true);
        char[] password = newPassword();
        try {
            sweepExpired(admin);
            dropRole(admin, role, owner);
            createRole(admin, role, password, database, owner, connections, validFor);
            return new Login(role, password);
        } catch (SQLException | RuntimeException e) {
            Arrays.fill(password, '\0');
            try {
                dropRole(admin, role, owner);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            admin.setAutoCommit(autoCommit);
        }
    }

    /**
     * Drops a login of {@link #createLogin} after ending its sessions: what it may own goes to {@code owner}, its grants
     * go. Nothing when it does not exist. {@code admin}: a superuser connection to the database it was for.
     */
    public static void dropLogin(Connection admin, String role, String owner) throws SQLException {
        if (!role.startsWith(ROLE_PREFIX)) {
            throw new IllegalArgumentException("only a throwaway role is dropped here: " + role);
        }
        boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(true);
        try {
            try (PreparedStatement ps = admin.prepareStatement(ROLE_BACKENDS)) {
                ps.setString(1, role);
                ps.executeQuery().close();
            }
            dropRole(admin, role, owner);
        } finally {
            admin.setAutoCommit(autoCommit);
        }
    }

    private static void createRole(Connection admin, String role, char[] password, String database, String owner, int connections,
                                   Duration validFor) throws SQLException {
        String quoted = Identifiers.quote(role);
        String validUntil = Instant.now().plus(validFor).truncatedTo(ChronoUnit.SECONDS).toString();
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + quoted + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
                    + " CONNECTION LIMIT " + connections + " VALID UNTIL " + Literals.quote(validUntil));
        }
        admin.unwrap(PGConnection.class).alterUserPassword(role, password.clone(), "scram-sha-256");
        try (Statement st = admin.createStatement()) {
            st.execute("GRANT CONNECT ON DATABASE " + Identifiers.quote(database) + " TO " + quoted);
            st.execute("GRANT " + Identifiers.quote(owner) + " TO " + quoted);
        }
    }

    /** A fresh name for a throwaway login role: {@link #ROLE_PREFIX} and 12 random hex digits. */
    public static String newLoginName() {
        return ROLE_PREFIX + HexFormat.of().formatHex(randomBytes(6));
    }

    private static char[] newPassword() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32)).toCharArray();
    }

    /** Sessions open in this process: what {@link #abortAll} ends. */
    private static final java.util.Set<OwnerSession> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Ends every open session's login at once, as a dead operator process's connections end (its pooled ones are
     * closed by PgPools.abandonAll): the server rolls back the migration in flight. A migration session is not
     * pooled, so the pools' abandon cannot reach it.
     */
    public static void abortAll() {
        for (OwnerSession s : java.util.List.copyOf(OPEN)) {
            try {
                s.login.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                // already closed
            }
        }
    }

    /** The throwaway login role's name (shopdb_mig_...). */
    public String role() { return role; }

    /** Null, or why the throwaway role could not be dropped (data-free; an expired role is swept by a later session). */
    public String cleanupProblem() { return cleanupProblem; }

    /**
     * The session as a DataSource: each borrow is the same login, set to the owner ({@code SET ROLE}); closing a
     * borrowed connection rolls back what it left open and keeps the login. One borrow at a time.
     */
    public DataSource dataSource() {
        return new Lender();
    }

    /** Ends the login, then hands what the role owns to the owner, drops its grants and the role. Never throws. */
    @Override
    public void close() {
        OPEN.remove(this);
        try {
            login.close();
        } catch (SQLException e) {
            // the drop below ends a backend still there
        }
        try {
            dropRole(admin, role, owner);
        } catch (SQLException e) {
            cleanupProblem = "cannot drop the migration role " + role + ": " + DrillChecks.describe(e);
        }
        try {
            admin.setAutoCommit(adminAutoCommit);
        } catch (SQLException e) {
            // the admin connection is broken: its pool discards it
        }
    }

    private Connection borrow() throws SQLException {
        if (lent) {
            throw new SQLException("the owner session lends one connection at a time", "55000");
        }
        try (Statement st = login.createStatement()) {
            st.execute("SET ROLE " + Identifiers.quote(owner));
        }
        lent = true;
        boolean[] returned = {false};
        return (Connection) Proxy.newProxyInstance(OwnerSession.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (!returned[0]) {
                                returned[0] = true;
                                lent = false;
                                if (!login.isClosed() && !login.getAutoCommit()) {
                                    login.rollback();
                                    login.setAutoCommit(true);
                                }
                            }
                            return null;
                        }
                        case "isClosed" -> {
                            return returned[0] || login.isClosed();
                        }
                        case "abort" -> {
                            returned[0] = true;
                            lent = false;
                            login.abort((Runnable r) -> r.run()); // a connection in an unknown state: the session ends
                            return null;
                        }
                        default -> {
                            if (returned[0] && !method.getName().equals("toString") && !method.getName().equals("hashCode")
                                    && !method.getName().equals("equals")) {
                                throw new SQLException("connection returned to the owner session", "08003");
                            }
                            try {
                                return method.invoke(login, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                });
    }

    /** REASSIGN OWNED to the owner, DROP OWNED, DROP ROLE; a session of the role still ending is terminated and the drop retried once. */
    static void dropRole(Connection admin, String role, String owner) throws SQLException {
        try {
            dropOwnedAndRole(admin, role, owner);
        } catch (SQLException first) {
            try (PreparedStatement ps = admin.prepareStatement(ROLE_BACKENDS)) {
                ps.setString(1, role);
                ps.executeQuery().close();
            }
            dropOwnedAndRole(admin, role, owner);
        }
    }

    private static void dropOwnedAndRole(Connection admin, String role, String owner) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(EXISTS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return; // never created, or gone already
                }
            }
        }
        String quoted = Identifiers.quote(role);
        try (Statement st = admin.createStatement()) {
            if (owner != null) {
                // what a script created after RESET ROLE (a temporary or stray object) goes to the owner, not away
                st.execute("REASSIGN OWNED BY " + quoted + " TO " + Identifiers.quote(owner));
            }
            st.execute("DROP OWNED BY " + quoted);
            st.execute("DROP ROLE " + quoted);
        }
    }

    /** Best effort: roles of sessions whose operator died before dropping them (this database's objects only). */
    private static void sweepExpired(Connection admin) {
        List<String[]> expired = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(EXPIRED)) {
            while (rs.next()) {
                expired.add(new String[]{rs.getString(1), rs.getString(2)});
            }
        } catch (SQLException e) {
            return;
        }
        for (String[] r : expired) {
            if (r[1] == null || Identifiers.problem(r[0]) != null || Identifiers.problem(r[1]) != null) {
                continue;
            }
            try {
                dropOwnedAndRole(admin, r[0], r[1]);
            } catch (SQLException e) {
                // it owns something in another database: the session that made it there sweeps it
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private final class Lender implements ConnectionSource {
        @Override public Connection getConnection() throws SQLException { return borrow(); }
        @Override public String toString() { return "OwnerSession[" + role + " as " + owner + "]"; }
    }
}
