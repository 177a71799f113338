package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The integrity report of a copied database: per table, the row count and an md5 over the rows in a stable
 * order, on the source and on the target, compared. Rows are hashed as their text form (column order, types'
 * output) with TimeZone UTC, so both sides print timestamps alike; the order is by each row's own md5 (in the C
 * collation), which needs no primary key and is the same on any server.
 *
 * <p>A source that keeps changing would make any later comparison differ, so the source side is read in the
 * same snapshot the dump was taken from ({@link #exportSnapshot}: pg_dump --snapshot=id): the report then says
 * whether the copy is exactly the source at that instant, and a mismatch always means a damaged copy.
 */
public final class TableChecksums {
    public record TableSum(long rows, String md5) {}

    /** A difference: the table (schema.table) and what differs, in words. */
    public record Mismatch(String table, String problem) {}

    static final String TABLES = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 1, 2""";
    static final String LOGIN_ROLES = "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' AND NOT rolsuper ORDER BY 1";

    private TableChecksums() {}

    /**
     * Opens a REPEATABLE READ transaction on {@code c} and exports its snapshot; keep {@code c} open (and use it for
     * {@link #read}) until pg_dump, given the id with --snapshot, has started.
     */
    public static String exportSnapshot(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Every user table (a partitioned table as a whole, its partitions not again) with its count and md5. */
    public static Map<String, TableSum> read(Connection c) throws SQLException {
        return read(c, schema -> true);
    }

    /** As {@link #read(Connection)}, for the tables of the schemas {@code schemas} accepts (an import of some schemas). */
    public static Map<String, TableSum> read(Connection c, java.util.function.Predicate<String> schemas) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false); // SET LOCAL needs a transaction; in an exported snapshot it is that one
        Map<String, TableSum> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL TimeZone = 'UTC'");
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(TABLES)) {
                while (rs.next()) {
                    if (schemas.test(rs.getString(1))) {
                        tables.add(new String[]{rs.getString(1), rs.getString(2)});
                    }
                }
            }
            for (String[] t : tables) {
                String sql = "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) FROM (SELECT md5(r::text) AS h FROM "
                        + Identifiers.quote(t[0]) + "." + Identifiers.quote(t[1]) + " r) x";
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    out.put(t[0] + "." + t[1], new TableSum(rs.getLong(1), rs.getString(2)));
                }
            }
        } finally {
            if (autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
        return out;
    }

    /** Source against target: tables missing on either side, row counts and checksums that differ. Pure. */
    public static List<Mismatch> compare(Map<String, TableSum> source, Map<String, TableSum> target) {
        List<Mismatch> out = new ArrayList<>();
        Set<String> all = new TreeSet<>(source.keySet());
        all.addAll(target.keySet());
        for (String table : all) {
            TableSum s = source.get(table);
            TableSum t = target.get(table);
            if (t == null) {
                out.add(new Mismatch(table, "missing on the target"));
            } else if (s == null) {
                out.add(new Mismatch(table, "not on the source"));
            } else if (s.rows() != t.rows()) {
                out.add(new Mismatch(table, "rows: source " + s.rows() + ", target " + t.rows()));
            } else if (!s.md5().equals(t.md5())) {
                out.add(new Mismatch(table, "same " + s.rows() + " rows but different content (md5 " + s.md5() + " vs " + t.md5() + ")"));
            }
        }
        return out;
    }

    /** Roles of the source (not superusers, not pg_*) that no PostgresRole declares: not copied, so listed. */
    public static List<String> rolesNotDeclared(Connection source, Collection<String> declared) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(LOGIN_ROLES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!declared.contains(rs.getString(1))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
