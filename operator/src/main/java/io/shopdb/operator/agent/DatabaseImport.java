package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.Literals;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.TableChecksums;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Fills a database from an existing server: parallel pg_dump (directory format) taken from an exported snapshot,
 * parallel pg_restore without owners and grants (roles are not copied blindly; with a role, everything created is
 * owned by it) logged in as a non-superuser member of that role (the dump's statements run with the owner's rights
 * and no more: its {@code RESET ROLE} returns to a role that holds nothing), then the integrity report: per table the row count and md5 of the source in that same snapshot
 * against the target's. The source may keep taking writes; the copy is compared with the instant it was taken, so
 * any mismatch means a damaged copy.
 *
 * <p>Safety: a target that already holds relations is refused ({@link AgentException.Reason#TARGET_NOT_EMPTY}) unless
 * {@link Options#replaceExisting}, or unless it is the leftover of an earlier attempt of this import: the target database
 * carries the comment {@value #IN_PROGRESS} from before pg_restore starts until the report is made, so a retry after a
 * failed or killed pg_restore replaces that partial copy (pg_restore --clean --if-exists) instead of being refused.
 */
public final class DatabaseImport {
    static final Duration TOOL_TIMEOUT = Duration.ofHours(6);
    /** The target database's comment while an import may have left a partial copy in it. */
    static final String IN_PROGRESS = "shopdb: import in progress";

    /**
     * @param role            pg_restore --role: the role that owns what is created (the database owner); null: the connecting user
     * @param schemas         only these schemas (exact names); empty: all
     * @param excludeSchemas  not these schemas
     * @param declared        role names that PostgresRoles declare (the rest of the source's roles are listed)
     * @param replaceExisting import into a target that holds relations: objects of the dump that exist are dropped first
     */
    public record Options(String role, List<String> schemas, List<String> excludeSchemas, Collection<String> declared,
                          boolean replaceExisting, int jobs, Duration timeout) {
        public Options {
            schemas = schemas == null ? List.of() : List.copyOf(schemas);
            excludeSchemas = excludeSchemas == null ? List.of() : List.copyOf(excludeSchemas);
            declared = declared == null ? List.of() : List.copyOf(declared);
        }

        Predicate<String> schemaFilter() {
            return s -> (schemas.isEmpty() || schemas.contains(s)) && !excludeSchemas.contains(s);
        }
    }

    /** The result: {@code mismatches} empty means the target holds exactly the source at {@code snapshot}. */
    public record Report(String snapshot, Map<String, TableChecksums.TableSum> source, List<TableChecksums.Mismatch> mismatches,
                         List<String> rolesNotDeclared, long durationMillis) {
        public boolean ok() {
            return mismatches.isEmpty();
        }
    }

    private DatabaseImport() {}

    /** All schemas, as {@code restoreAs} itself, refusing a non-empty target. */
    public static Report run(PgTools tools, PgEndpoint source, PgEndpoint target, PgEndpoint restoreAs, int jobs, Collection<String> declared,
                             Path spool) {
        return run(tools, source, target, restoreAs, new Options(null, List.of(), List.of(), declared, false, jobs, TOOL_TIMEOUT), spool);
    }

    /**
     * @param source    the existing server, connected to the database to copy
     * @param target    the database to fill (it exists), as the server's superuser: it checks the target, marks it and
     *                  reads it for the report, and never runs what the dump holds
     * @param restoreAs the login pg_restore runs as, then {@code SET ROLE options.role}: a member of that role and not a
     *                  superuser (refused otherwise), so a dump's {@code RESET ROLE} returns to a role that holds nothing
     */
    public static Report run(PgTools tools, PgEndpoint source, PgEndpoint target, PgEndpoint restoreAs, Options options, Path spool) {
        validate(options);
        Instant started = Instant.now();
        Path work = null;
        try (Connection snapshot = longReads(source)) {
            long relations;
            checkRestoreLogin(restoreAs.withDatabase(target.database()));
            try (Connection into = PgConnections.open(target)) {
                checkVersions(tools, snapshot, into);
                boolean resumed = IN_PROGRESS.equals(comment(into));
                relations = ServerCatalog.userRelations(into);
                if (relations > 0 && !resumed && !options.replaceExisting()) {
                    throw new AgentException(AgentException.Reason.TARGET_NOT_EMPTY, "database " + target.database() + " already holds "
                            + relations + " relation(s); an import fills an empty database (or set replaceExisting to import over it)");
                }
                setComment(into, IN_PROGRESS);
            }
            work = Files.createTempDirectory(spool, "import-");
            Path dump = work.resolve("dump");
            String id = TableChecksums.exportSnapshot(snapshot);
            tools.run(source, "pg_dump", dumpArgs(options, id, dump), work.resolve("pg_dump.log"), options.timeout());
            Map<String, TableChecksums.TableSum> sums = TableChecksums.read(snapshot, options.schemaFilter());
            List<String> roles = TableChecksums.rolesNotDeclared(snapshot, options.declared());
            snapshot.commit();
            tools.run(restoreAs, "pg_restore", restoreArgs(options, relations > 0, target.database(), dump), work.resolve("pg_restore.log"),
                    options.timeout());
            try (Connection into = longReads(target)) {
                Map<String, TableChecksums.TableSum> copied = new LinkedHashMap<>(TableChecksums.read(into, options.schemaFilter()));
                if (relations > 0) {
                    copied.keySet().retainAll(sums.keySet()); // tables that were there before are not the import's to judge
                }
                setComment(into, null);
                return new Report(id, sums, TableChecksums.compare(sums, copied), roles, Duration.between(started, Instant.now()).toMillis());
            }
        } catch (SQLException e) {
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "import: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "import: " + e.getMessage(), e);
        } finally {
            Spool.deleteTree(work);
        }
    }

    /**
     * pg_restore executes what the dump holds: never on a superuser's session, where {@code --role}'s SET ROLE is undone
     * by a {@code RESET ROLE} in the dump. The login must not have, nor inherit, any power beyond its memberships.
     */
    private static void checkRestoreLogin(PgEndpoint restoreAs) throws SQLException {
        try (Connection c = PgConnections.open(restoreAs); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolsuper OR rolcreaterole OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = session_user")) {
            if (!rs.next() || rs.getBoolean(1)) {
                throw new AgentException(AgentException.Reason.INVALID, "import: the login pg_restore runs as (" + restoreAs.user()
                        + ") has SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS; the dump would run with those powers");
            }
        }
    }

    /**
     * A connection for reads as long as the largest table: no client read timeout, and no server timeout either (a
     * managed cluster ends sessions idle in a transaction after 10 minutes, and the snapshot's stays idle while pg_dump
     * runs). The Job's deadline bounds it all.
     */
    private static Connection longReads(PgEndpoint endpoint) throws SQLException {
        Connection c = PgConnections.open(endpoint, 0);
        try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = 0");
            st.execute("SET idle_in_transaction_session_timeout = 0");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    static List<String> dumpArgs(Options o, String snapshotId, Path dump) {
        List<String> args = new ArrayList<>(List.of("-Fd", "-j", String.valueOf(o.jobs()), "--snapshot=" + snapshotId,
                // what a database owner cannot create, or what belongs to the source's server, stays behind
                "--no-publications", "--no-subscriptions", "--no-tablespaces", "--no-security-labels", "-f", dump.toString()));
        o.schemas().forEach(s -> args.addAll(List.of("-n", pattern(s))));
        o.excludeSchemas().forEach(s -> args.addAll(List.of("-N", pattern(s))));
        return args;
    }

    static List<String> restoreArgs(Options o, boolean clean, String database, Path dump) {
        List<String> args = new ArrayList<>(List.of("-j", String.valueOf(o.jobs()), "--no-owner", "--no-privileges", "--exit-on-error"));
        if (o.role() != null) {
            args.add("--role=" + o.role());
        }
        if (clean) {
            args.addAll(List.of("--clean", "--if-exists"));
        }
        args.addAll(List.of("-d", PgTools.dbname(database), dump.toString()));
        return args;
    }

    /** A pg_dump pattern that matches exactly one schema name: double-quoted, so case, dots and wildcards are literal. */
    static String pattern(String schema) {
        return "\"" + schema.replace("\"", "\"\"") + "\"";
    }

    private static void validate(Options o) {
        if (o.jobs() < 1) {
            throw new AgentException(AgentException.Reason.INVALID, "jobs must be at least 1");
        }
        List<String> names = new ArrayList<>(o.schemas());
        names.addAll(o.excludeSchemas());
        if (o.role() != null) {
            names.add(o.role());
        }
        for (String name : names) {
            String problem = Identifiers.problem(name);
            if (problem != null) {
                throw new AgentException(AgentException.Reason.INVALID, "import: name " + problem);
            }
        }
    }

    /** A dump restores only into the same or a newer major, and pg_dump reads only servers up to its own major. */
    private static void checkVersions(PgTools tools, Connection source, Connection target) throws SQLException {
        ServerCatalog.Version from = ServerCatalog.version(source);
        ServerCatalog.Version to = ServerCatalog.version(target);
        if (from.major() > to.major()) {
            throw new AgentException(AgentException.Reason.VERSION_TOO_NEW, "the source runs PostgreSQL " + from.text()
                    + ", newer than the target's " + to.text() + ": import into a cluster of major " + from.major() + " or newer");
        }
        int toolMajor = PgTools.major(tools.version("pg_dump"));
        if (from.major() > toolMajor) {
            throw new AgentException(AgentException.Reason.VERSION_TOO_NEW, "the source runs PostgreSQL " + from.text()
                    + ", newer than this agent's pg_dump " + toolMajor + ": use an agent image with the client tools of that major");
        }
    }

    private static String comment(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void setComment(Connection c, String text) throws SQLException {
        String database;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            database = rs.getString(1);
        }
        try (Statement st = c.createStatement()) {
            st.execute("COMMENT ON DATABASE " + Identifiers.quote(database) + " IS " + (text == null ? "NULL" : Literals.quote(text)));
        }
    }
}
