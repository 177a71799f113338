package io.shopdb.operator.sql;

import org.postgresql.PGConnection;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs a restore drill's SQL checks (spec.verify.checks) in the scratch copy only, never as the superuser. The
 * caller's superuser connection to the scratch database creates a throwaway login role {@code shopdb_drill_<hex>}
 * (NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, one connection, valid for an hour, a random password
 * nobody else sees) with SELECT on the scratch database's own tables, views and sequences; the checks then run on a
 * NEW connection logged in as that role (not SET ROLE, which RESET ROLE undoes), read-only, with a statement timeout
 * the server enforces and a query timeout the client enforces (a check that sets statement_timeout = 0 is still
 * cancelled). Afterwards the role goes (DROP OWNED BY, DROP ROLE).
 *
 * Why not pg_read_all_data: it also reads the shared catalogs, pg_authid's password verifiers and pg_user_mapping's
 * options included, and a logical drill's scratch database lives on the production server; a check is a yes/no
 * oracle, so it must see the copied data and nothing more. Foreign tables are not granted either (their user
 * mappings reach other servers). The copy was restored without owners, so its views and SECURITY DEFINER routines
 * belong to the superuser: for the checks they are handed to the drill role ({@link #RUN_AS_OWNER}), else a view
 * over pg_authid or a definer function calling COPY TO PROGRAM would lend a check the superuser's rights.
 *
 * What comes back is data-free: pass/fail, a row count, and for an error its SQLSTATE and a generic class, never the
 * server's message text (an error such as {@code invalid input syntax for type integer: "<a value>"} carries row data).
 *
 * Semantics of a check (the CRD's): it returns exactly one row with one boolean column, and that value is true.
 */
public final class DrillChecks {
    public static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    static final String ROLE_PREFIX = "shopdb_drill_";
    /** Rows read from a check at most; a check returns one, so more only matters for the count shown. */
    static final int MAX_ROWS = 1000;

    static final String SCHEMAS = "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY nspname";
    static final String FOREIGN_TABLES = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'f' ORDER BY 1, 2";
    /**
     * Views and SECURITY DEFINER routines of the scratch copy's own schemas (not an extension's): restored without
     * owners, they belong to the superuser that restored them, so a view would read any table (pg_authid included)
     * and such a routine would run anything as the superuser. They are handed to the drill role for the checks.
     */
    static final String RUN_AS_OWNER = "SELECT 'VIEW ' || format('%I.%I', n.nspname, c.relname)"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
            + " UNION ALL SELECT 'ROUTINE ' || format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')";
    static final String ROLE_BACKENDS = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?";

    private static final SecureRandom RANDOM = new SecureRandom();

    private DrillChecks() {}

    /**
     * One check's verdict. {@code rows} is the number of rows it returned (-1 when it failed with an error),
     * {@code sqlState} the error's SQLSTATE or null.
     */
    public record CheckResult(int number, boolean passed, long rows, String sqlState, String message) {}

    /**
     * All checks' verdicts; {@code cleanupProblem} is non-null when the drill role could not be dropped (data-free).
     */
    public record Report(List<CheckResult> results, String role, String cleanupProblem) {
        public boolean ok() {
            return results.stream().allMatch(CheckResult::passed);
        }

        public long passed() {
            return results.stream().filter(CheckResult::passed).count();
        }

        /** The messages of the failed checks ("check #2 returned false (1 row)", "check #3 failed: SQLSTATE 42501 ..."). */
        public List<String> failures() {
            return results.stream().filter(r -> !r.passed()).map(CheckResult::message).toList();
        }

        /** "3 of 3 check(s) passed". */
        public String summary() {
            return passed() + " of " + results.size() + " check(s) passed";
        }
    }

    /** As {@link #run(Connection, PgEndpoint, List, Duration)} with the default {@link #STATEMENT_TIMEOUT}. */
    public static Report run(Connection scratchAdmin, PgEndpoint scratch, List<String> checks) throws SQLException {
        return run(scratchAdmin, scratch, checks, STATEMENT_TIMEOUT);
    }

    /**
     * @param scratchAdmin a superuser connection to the scratch database (creates and drops the drill role)
     * @param scratch      where the scratch database is (host, port, database, TLS); its credentials are not used
     * @param timeout      per check, at least one second
     * @throws SQLException when the drill role cannot be created or cannot log in (no check ran)
     */
    public static Report run(Connection scratchAdmin, PgEndpoint scratch, List<String> checks, Duration timeout) throws SQLException {
        if (checks == null || checks.isEmpty()) {
            return new Report(List.of(), null, null);
        }
        String role = ROLE_PREFIX + HexFormat.of().formatHex(randomBytes(6));
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32)).toCharArray();
        List<CheckResult> results = new ArrayList<>();
        String cleanupProblem = null;
        boolean autoCommit = scratchAdmin.getAutoCommit();
        scratchAdmin.setAutoCommit(true);
        try {
            createRole(scratchAdmin, role, password);
            PgEndpoint asDrill = new PgEndpoint(scratch.host(), scratch.port(), scratch.database(), role, password,
                    scratch.sslMode(), scratch.trust());
            int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
            try (Connection c = PgConnections.open(asDrill, seconds + 30)) {
                prepareSession(c, seconds);
                for (int i = 0; i < checks.size(); i++) {
                    results.add(check(c, i + 1, checks.get(i), seconds));
                }
                forgetSession(c);
            }
        } finally {
            java.util.Arrays.fill(password, '\0');
            try {
                dropRole(scratchAdmin, role);
            } catch (SQLException e) {
                cleanupProblem = "cannot drop the drill role " + role + ": " + describe(e);
            }
            scratchAdmin.setAutoCommit(autoCommit);
        }
        return new Report(List.copyOf(results), role, cleanupProblem);
    }

    /** The role, its password (hashed here: SCRAM, client side) and SELECT on the scratch database's own objects. */
    static void createRole(Connection admin, String role, char[] password) throws SQLException {
        String quoted = Identifiers.quote(role);
        String validUntil = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + quoted + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
                    + " CONNECTION LIMIT 1 VALID UNTIL " + Literals.quote(validUntil));
        }
        admin.unwrap(PGConnection.class).alterUserPassword(role, password.clone(), "scram-sha-256");
        List<String> schemas = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(SCHEMAS)) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        List<String> foreign = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(FOREIGN_TABLES)) {
            while (rs.next()) {
                if (Identifiers.problem(rs.getString(1)) == null && Identifiers.problem(rs.getString(2)) == null) {
                    foreign.add(Identifiers.quote(rs.getString(1)) + "." + Identifiers.quote(rs.getString(2)));
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute("GRANT CONNECT ON DATABASE " + Identifiers.quote(admin.getCatalog()) + " TO " + quoted);
            for (String schema : schemas) {
                if (Identifiers.problem(schema) != null) {
                    continue; // a name we cannot quote: its tables stay unreadable and a check on them fails with 42501
                }
                String s = Identifiers.quote(schema);
                st.execute("GRANT USAGE ON SCHEMA " + s + " TO " + quoted);
                st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + s + " TO " + quoted);
                st.execute("GRANT SELECT ON ALL SEQUENCES IN SCHEMA " + s + " TO " + quoted);
            }
            for (String table : foreign) {
                st.execute("REVOKE SELECT ON " + table + " FROM " + quoted);
            }
        }
        List<String> runAsOwner = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(RUN_AS_OWNER)) {
            while (rs.next()) {
                runAsOwner.add(rs.getString(1)); // quoted by the server (format %I)
            }
        }
        try (Statement st = admin.createStatement()) {
            for (String object : runAsOwner) {
                st.execute("ALTER " + object + " OWNER TO " + quoted);
            }
        }
    }

    /** Server-side limits; the client's query timeout in {@link #check} holds even when a check changes them. */
    private static void prepareSession(Connection c, int seconds) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = '" + seconds + "s'");
            st.execute("SET lock_timeout = '" + seconds + "s'");
            st.execute("SET idle_in_transaction_session_timeout = '" + (seconds + 30) + "s'");
            st.execute("SET default_transaction_read_only = on");
        }
        c.setAutoCommit(false);
        c.setReadOnly(true);
    }

    /** Drops what the checks left in the session (temporary tables), so DROP ROLE does not race the backend's exit. */
    private static void forgetSession(Connection c) {
        try {
            c.rollback();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("DISCARD ALL");
            }
        } catch (SQLException e) {
            // the role is dropped after its backends are ended, if need be
        }
    }

    /** One check in its own transaction, always rolled back. Never throws: an error is a failed check. */
    static CheckResult check(Connection c, int number, String sql, int timeoutSeconds) {
        String name = "check #" + number;
        try {
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(timeoutSeconds);
                st.setMaxRows(MAX_ROWS + 1);
                try (ResultSet rs = st.executeQuery(sql)) {
                    long rows = 0;
                    Boolean first = null;
                    boolean firstNull = false;
                    boolean oneBoolean = rs.getMetaData().getColumnCount() == 1
                            && (rs.getMetaData().getColumnType(1) == Types.BIT || rs.getMetaData().getColumnType(1) == Types.BOOLEAN);
                    while (rs.next()) {
                        if (rows == 0 && oneBoolean) {
                            first = rs.getBoolean(1);
                            firstNull = rs.wasNull();
                        }
                        rows++;
                    }
                    String count = rows > MAX_ROWS ? "more than " + MAX_ROWS + " rows" : rows == 1 ? "1 row" : rows + " rows";
                    if (!oneBoolean) {
                        return new CheckResult(number, false, rows, null, name + " must return one boolean column (" + count + ")");
                    }
                    if (rows != 1) {
                        return new CheckResult(number, false, rows, null, name + " must return exactly one row (" + count + ")");
                    }
                    if (firstNull) {
                        return new CheckResult(number, false, rows, null, name + " returned null (" + count + ")");
                    }
                    return first ? new CheckResult(number, true, rows, null, name + " passed (" + count + ")")
                            : new CheckResult(number, false, rows, null, name + " returned false (" + count + ")");
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            String state = SqlErrors.state(e);
            return new CheckResult(number, false, -1, state, name + " failed: " + describe(e));
        }
    }

    /** "SQLSTATE 42501 (insufficient privilege)": the code and a generic class, never the server's text. */
    public static String describe(SQLException e) {
        String state = SqlErrors.state(e);
        if (state == null || !state.matches("[0-9A-Z]{5}")) {
            return "no SQLSTATE (connection or driver error)";
        }
        return "SQLSTATE " + state + " (" + errorClass(state) + ")";
    }

    static String errorClass(String state) {
        String specific = switch (state) {
            case "42501" -> "insufficient privilege";
            case "57014" -> "query canceled: statement timeout";
            case "55P03" -> "lock not available: lock timeout";
            case "25006" -> "read-only transaction";
            case "22012" -> "division by zero";
            case "22P02" -> "invalid text representation";
            case "42601" -> "syntax error";
            case "42P01" -> "undefined table";
            case "42703" -> "undefined column";
            case "42883" -> "undefined function";
            case "3F000" -> "undefined schema";
            case "0A000" -> "feature not supported";
            case "P0001" -> "raised exception";
            case "02000" -> "no data: the check returned no result set";
            case "0100C" -> "more than one result set";
            default -> null;
        };
        if (specific != null) {
            return specific;
        }
        return switch (state.substring(0, 2)) {
            case "08" -> "connection exception";
            case "0A" -> "feature not supported";
            case "21" -> "cardinality violation";
            case "22" -> "data exception";
            case "23" -> "integrity constraint violation";
            case "25" -> "invalid transaction state";
            case "28" -> "invalid authorization";
            case "2B", "2D", "3B", "40" -> "transaction rollback or state";
            case "39", "38" -> "external routine exception";
            case "3D", "3F" -> "invalid catalog or schema name";
            case "42" -> "syntax error or access rule violation";
            case "53" -> "insufficient resources";
            case "54" -> "program limit exceeded";
            case "55" -> "object not in prerequisite state";
            case "57" -> "operator intervention";
            case "58" -> "system error";
            case "F0" -> "configuration file error";
            case "HV" -> "foreign data wrapper error";
            case "P0" -> "PL/pgSQL error";
            case "XX" -> "internal error";
            default -> "error class " + state.substring(0, 2);
        };
    }

    /**
     * REASSIGN OWNED BY (what was handed over goes back), DROP OWNED BY (what the checks created here and the grants,
     * shared ones included) and DROP ROLE; if a session of
     * the role is still ending, it is terminated and the drop tried once more.
     */
    static void dropRole(Connection admin, String role) throws SQLException {
        try {
            dropOwnedAndRole(admin, role);
        } catch (SQLException first) {
            try (PreparedStatement ps = admin.prepareStatement(ROLE_BACKENDS)) {
                ps.setString(1, role);
                ps.executeQuery().close();
            }
            dropOwnedAndRole(admin, role);
        }
    }

    private static void dropOwnedAndRole(Connection admin, String role) throws SQLException {
        String quoted = Identifiers.quote(role);
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return; // never created (CREATE ROLE failed) or gone already
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute("REASSIGN OWNED BY " + quoted + " TO CURRENT_USER"); // the views and routines handed over, back
            st.execute("DROP OWNED BY " + quoted);
            st.execute("DROP ROLE " + quoted);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
