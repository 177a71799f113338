package io.shopdb.operator.agent;

import io.shopdb.operator.sql.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The catalog reads the agent needs: server version, table row counts, whether a database is in use. */
final class ServerCatalog {
    /**
     * Tables whose rows pg_dump writes: ordinary tables and partitions (relkind 'r'; a partitioned parent
     * holds no rows itself), outside system schemas, and not owned by an extension (pg_dump skips those).
     */
    static final String TABLES = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1, 2""";

    /** Any user relation (table, view, sequence, ...) makes a database "not empty" for restore. */
    static final String USER_RELATIONS = """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname <> 'information_schema'
              AND n.nspname NOT LIKE 'pg\\_%'""";

    private ServerCatalog() {}

    record Version(String text, int num) {
        int major() {
            return num / 10000;
        }
    }

    static Version version(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), current_setting('server_version_num')::int")) {
            rs.next();
            return new Version(rs.getString(1), rs.getInt(2));
        }
    }

    /** Exact counts, "schema.table" → rows, in the connection's current transaction/snapshot. */
    static SortedMap<String, Long> rowCounts(Connection c) throws SQLException {
        List<String[]> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                tables.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        SortedMap<String, Long> counts = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            for (String[] t : tables) {
                // identifiers come from the catalog, still quoted through the one helper
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + Identifiers.quote(t[0]) + "." + Identifiers.quote(t[1]))) {
                    rs.next();
                    counts.put(t[0] + "." + t[1], rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Differences between two count maps, one readable line each (missing tables included). */
    static List<String> compare(Map<String, Long> expected, Map<String, Long> actual) {
        List<String> out = new ArrayList<>();
        SortedMap<String, Long> all = new TreeMap<>(expected);
        actual.forEach(all::putIfAbsent);
        for (String table : all.keySet()) {
            Long e = expected.get(table);
            Long a = actual.get(table);
            if (e == null) {
                out.add(table + ": not in the backup, " + a + " rows after restore");
            } else if (a == null) {
                out.add(table + ": " + e + " rows in the backup, table missing after restore");
            } else if (!e.equals(a)) {
                out.add(table + ": " + e + " rows in the backup, " + a + " after restore");
            }
        }
        return out;
    }

    static long userRelations(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USER_RELATIONS)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
