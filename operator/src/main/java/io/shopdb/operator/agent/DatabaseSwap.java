package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.Literals;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * How an overwrite restore replaces a database without ever leaving it missing or half-filled. The backup is
 * restored into a scratch database ({@code shopdb_restore_new_<hash>}); only when that finished and was checked is it
 * swapped in: new sessions on the target are refused (ALLOW_CONNECTIONS false), the ones there are ended, and in ONE
 * transaction the target's owner, grants and settings are carried over to the scratch database, the target is renamed
 * to {@code shopdb_restore_old_<hash>} and the scratch database to the target's name. Then the old one is dropped.
 * The hash is of the target's name, so a rerun finds what an earlier attempt left; the fixed prefixes keep the names
 * at 31 bytes and away from names people choose.
 *
 * <p>Because both renames commit together, a dead agent leaves one of these states, and {@link #converge} (run by every
 * restore into the target, under {@link #lock}) turns each into "target as before, no scratch, no old":
 * <ul>
 *   <li>a scratch database (the restore or the checks did not finish, or the swap did not commit): dropped; if the
 *       target still refuses connections, the swap had locked it out and is undone (ALLOW_CONNECTIONS true);</li>
 *   <li>target present and old present: the swap committed, only the drop of the replaced data was left: dropped;</li>
 *   <li>target missing and old present (not reachable through this code since the renames are one transaction, but a
 *       person or an older agent may have renamed by hand): the old database is renamed back to the target, the
 *       conservative choice: the rerun restores afresh and swaps again.</li>
 * </ul>
 *
 * <p>What the target keeps: an overwrite replaces the <em>contents</em> of a database (what pg_dump writes without
 * --create), not the database as an object of the cluster. So the replaced database keeps its owner, database-level
 * grants (CONNECT, CREATE, TEMPORARY), connection limit, settings (ALTER DATABASE / ALTER ROLE ... IN DATABASE ... SET),
 * and the scratch database is created with the target's encoding, collation, ctype, locale provider and tablespace.
 * This is what applications need to keep connecting the moment the swap commits, without waiting for the
 * PostgresDatabase and PostgresRole resources to re-apply their owner and grants (they would, but later). Grants are
 * re-issued by the superuser, so their grantor becomes the owner; the database comment and security labels are not
 * carried over.
 */
final class DatabaseSwap {
    static final String SCRATCH_PREFIX = "shopdb_restore_new_";
    static final String OLD_PREFIX = "shopdb_restore_old_";
    /** How long sessions on the target get to end after pg_terminate_backend before the swap gives up. */
    static final long SESSIONS_GONE_MILLIS = 30_000;

    /** The settings pg_dump splits into a list of quoted elements (its variable_is_guc_list_quote); others are one literal. */
    private static final Set<String> LIST_SETTINGS = Set.of("local_preload_libraries", "search_path", "session_preload_libraries",
            "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");

    /** The databases of one overwrite restore, and the advisory lock that keeps a second restore of the same target out. */
    record Names(String target, String scratch, String old, long lockKey) {}

    private DatabaseSwap() {}

    static Names names(String target) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(target.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String hex = HexFormat.of().formatHex(hash, 0, 6);
        return new Names(target, SCRATCH_PREFIX + hex, OLD_PREFIX + hex, ByteBuffer.wrap(hash, 8, 8).getLong());
    }

    /**
     * A session-level advisory lock on {@code admin}, held until that connection closes: two restores into one target
     * (a Job retried while a lost pod still runs, two PostgresRestores) would otherwise drop each other's scratch database.
     */
    static void lock(Connection admin, Names n) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, n.lockKey());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new AgentException(AgentException.Reason.IO, "another restore into database " + n.target()
                            + " is running on this server; try again when it has finished");
                }
            }
        }
    }

    /** Turns what an earlier, interrupted restore into the target left behind back into the target alone (see the class comment). */
    static void converge(Connection admin, Names n) throws SQLException {
        boolean target = DatabaseCatalog.exists(admin, n.target());
        boolean old = DatabaseCatalog.exists(admin, n.old());
        try (Statement st = admin.createStatement()) {
            if (old && !target) {
                st.execute("ALTER DATABASE " + Identifiers.quote(n.old()) + " RENAME TO " + Identifiers.quote(n.target()));
                st.execute("ALTER DATABASE " + Identifiers.quote(n.target()) + " WITH ALLOW_CONNECTIONS true");
            } else if (old) {
                st.execute("DROP DATABASE " + Identifiers.quote(n.old()) + " WITH (FORCE)");
            }
        }
        dropScratch(admin, n);
    }

    /**
     * Drops the scratch database; if the target still refuses connections, a swap had locked it out and never committed,
     * and a target nobody can reach is not the "left as it was" a failed restore promises: connections are allowed again.
     */
    static void dropScratch(Connection admin, Names n) throws SQLException {
        if (!DatabaseCatalog.exists(admin, n.scratch())) {
            return;
        }
        try (Statement st = admin.createStatement()) {
            if (DatabaseCatalog.exists(admin, n.target()) && !allowsConnections(admin, n.target())) {
                st.execute("ALTER DATABASE " + Identifiers.quote(n.target()) + " WITH ALLOW_CONNECTIONS true");
            }
            st.execute("DROP DATABASE " + Identifiers.quote(n.scratch()) + " WITH (FORCE)");
        }
    }

    /** {@link #dropScratch} on a connection of its own, after a failure (the admin connection may be what failed). */
    static void abandon(PgEndpoint server, Names n, Exception cause) {
        try (Connection c = PgConnections.open(server)) {
            dropScratch(c, n);
        } catch (SQLException e) {
            cause.addSuppressed(e); // the next restore into the target converges it
        }
    }

    private static boolean allowsConnections(Connection admin, String database) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT datallowconn FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() || rs.getBoolean(1);
            }
        }
    }

    /** CREATE DATABASE for the scratch database, with the target's encoding, collation, ctype, locale provider and tablespace. */
    static String createScratch(Connection admin, Names n) throws SQLException {
        String sql = """
                SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, to_jsonb(d) ->> 'datlocprovider',
                       coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale'), t.spcname
                FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = ?""";
        StringBuilder create = new StringBuilder("CREATE DATABASE ").append(Identifiers.quote(n.scratch())).append(" TEMPLATE template0");
        try (PreparedStatement ps = admin.prepareStatement(sql)) {
            ps.setString(1, n.target());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AgentException(AgentException.Reason.NOT_FOUND, "database " + n.target() + " disappeared during the restore");
                }
                create.append(" ENCODING ").append(Literals.quote(rs.getString(1)))
                        .append(" LC_COLLATE ").append(Literals.quote(rs.getString(2)))
                        .append(" LC_CTYPE ").append(Literals.quote(rs.getString(3)));
                String provider = rs.getString(4);
                String locale = rs.getString(5);
                if ("i".equals(provider) && locale != null) {
                    create.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(Literals.quote(locale));
                } else if ("b".equals(provider) && locale != null) {
                    create.append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").append(Literals.quote(locale));
                }
                create.append(" TABLESPACE ").append(Identifiers.quote(rs.getString(6)));
            }
        }
        return create.toString();
    }

    /**
     * Replaces the target by the restored scratch database. On any failure before the commit the target is as it was
     * (connections allowed again) and the caller drops the scratch database. A failed drop of the replaced database
     * after the commit is only logged: the restore has succeeded, and the next restore into the target drops it.
     */
    static void swap(Connection admin, Names n) throws SQLException {
        String target = Identifiers.quote(n.target());
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + target + " WITH ALLOW_CONNECTIONS false");
            try {
                endSessions(admin, n.target());
                admin.setAutoCommit(false);
                carryOver(admin, n);
                st.execute("ALTER DATABASE " + target + " RENAME TO " + Identifiers.quote(n.old()));
                st.execute("ALTER DATABASE " + Identifiers.quote(n.scratch()) + " RENAME TO " + target);
                admin.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    if (!admin.getAutoCommit()) {
                        admin.rollback();
                    }
                    admin.setAutoCommit(true);
                    st.execute("ALTER DATABASE " + target + " WITH ALLOW_CONNECTIONS true");
                } catch (SQLException undo) {
                    e.addSuppressed(undo); // the next restore into the target converges it
                }
                throw e;
            }
            admin.setAutoCommit(true);
            try {
                st.execute("DROP DATABASE " + Identifiers.quote(n.old()) + " WITH (FORCE)");
            } catch (SQLException e) {
                System.getLogger(DatabaseSwap.class.getName()).log(System.Logger.Level.WARNING,
                        "restored {0}, but cannot drop the replaced database {1} yet (the next restore into {0} drops it): {2}",
                        n.target(), n.old(), e.getMessage());
            }
        }
    }

    /** pg_terminate_backend until no other session is on the database (ALLOW_CONNECTIONS false keeps new ones out). */
    private static void endSessions(Connection admin, String database) throws SQLException {
        long deadline = System.currentTimeMillis() + SESSIONS_GONE_MILLIS;
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, database);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return; // a terminated session stays listed until it has exited: none listed, none left
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AgentException(AgentException.Reason.IO, "sessions on database " + database
                            + " did not end within " + SESSIONS_GONE_MILLIS / 1000 + "s of pg_terminate_backend");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AgentException(AgentException.Reason.IO, "interrupted while ending sessions on " + database, e);
                }
            }
        }
    }

    /** The target's owner, connection limit, grants and settings onto the scratch database (inside the swap's transaction). */
    private static void carryOver(Connection admin, Names n) throws SQLException {
        String scratch = Identifiers.quote(n.scratch());
        List<String> ddl = new ArrayList<>();
        String owner;
        boolean defaultAcl;
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT pg_get_userbyid(datdba), datconnlimit, datacl IS NULL FROM pg_database WHERE datname = ?")) {
            ps.setString(1, n.target());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                owner = rs.getString(1);
                ddl.add("ALTER DATABASE " + scratch + " OWNER TO " + Identifiers.quote(owner));
                ddl.add("ALTER DATABASE " + scratch + " WITH CONNECTION LIMIT " + rs.getInt(2));
                defaultAcl = rs.getBoolean(3);
            }
        }
        if (!defaultAcl) {
            // the scratch database has the default ACL; start from nothing and grant exactly what the target's lists
            ddl.add("REVOKE ALL ON DATABASE " + scratch + " FROM PUBLIC, " + Identifiers.quote(owner));
            try (PreparedStatement ps = admin.prepareStatement("""
                    SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
                    FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = ? ORDER BY 1 NULLS FIRST, 2""")) {
                ps.setString(1, n.target());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String grantee = rs.getString(1) == null ? "PUBLIC" : Identifiers.quote(rs.getString(1));
                        String privilege = privilege(rs.getString(2));
                        ddl.add("GRANT " + privilege + " ON DATABASE " + scratch + " TO " + grantee + (rs.getBoolean(3) ? " WITH GRANT OPTION" : ""));
                    }
                }
            }
        }
        try (PreparedStatement ps = admin.prepareStatement("""
                SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END, s.setconfig
                FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = ?""")) {
            ps.setString(1, n.target());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String role = rs.getString(1);
                    String prefix = role == null ? "ALTER DATABASE " + scratch : "ALTER ROLE " + Identifiers.quote(role) + " IN DATABASE " + scratch;
                    for (String setting : (String[]) rs.getArray(2).getArray()) {
                        ddl.add(prefix + " SET " + setClause(admin, setting));
                    }
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            for (String sql : ddl) {
                st.execute(sql);
            }
        }
    }

    /** aclexplode's privilege names, checked: they go into the GRANT as keywords. */
    private static String privilege(String name) {
        return switch (name) {
            case "CONNECT", "CREATE", "TEMPORARY" -> name;
            default -> throw new AgentException(AgentException.Reason.INVALID, "unexpected database privilege " + name);
        };
    }

    /**
     * "name=value" from pg_db_role_setting as "name = literal[, literal]" the way pg_dump writes it: list settings
     * (search_path, ...) element by element, others as one literal. The server quotes the literals (quote_literal), so a
     * value set by a database owner cannot end its quotes and append SQL that would run here as the superuser.
     */
    private static String setClause(Connection admin, String setting) throws SQLException {
        int eq = setting.indexOf('=');
        String name = setting.substring(0, eq);
        String value = setting.substring(eq + 1);
        List<String> values = LIST_SETTINGS.contains(name.toLowerCase(java.util.Locale.ROOT)) ? splitList(value) : List.of(value);
        List<String> literals = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement("SELECT quote_literal(?)")) {
            for (String v : values) {
                ps.setString(1, v);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    literals.add(rs.getString(1));
                }
            }
        }
        return Identifiers.quote(name) + " = " + (literals.isEmpty() ? "''" : String.join(", ", literals));
    }

    /** A flattened GUC list ({@code "$user", public}) into its elements, double quotes removed (pg_dump's SplitGUCList). */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int len = value.length();
        while (i < len && Character.isWhitespace(value.charAt(i))) {
            i++;
        }
        if (i == len) {
            return out;
        }
        while (true) {
            StringBuilder element = new StringBuilder();
            if (i < len && value.charAt(i) == '"') {
                i++;
                while (i < len) {
                    char c = value.charAt(i++);
                    if (c == '"') {
                        if (i < len && value.charAt(i) == '"') {
                            element.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        element.append(c);
                    }
                }
            } else {
                int start = i;
                while (i < len && value.charAt(i) != ',') {
                    i++;
                }
                element.append(value, start, i);
                while (element.length() > 0 && Character.isWhitespace(element.charAt(element.length() - 1))) {
                    element.setLength(element.length() - 1);
                }
            }
            out.add(element.toString());
            while (i < len && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            if (i >= len) {
                return out;
            }
            i++; // the comma
            while (i < len && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
        }
    }
}
