package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualPartitions.KeyType;
import io.shopdb.operator.sql.ActualPartitions.Partition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Catalog reads of a partitioned table: four queries per table whatever its size (the table, its
 * partitions with their bounds, its columns, the default partition's rows by interval).
 */
public final class PartitionCatalog {
    /** The table is there but cannot be maintained as declared (not range-partitioned by one date column). */
    public static final class UnsupportedTableException extends Exception {
        public UnsupportedTableException(String message) {
            super(message);
        }
    }

    static final String TABLE = """
            SELECT c.oid, pg_get_userbyid(c.relowner), c.relkind, pt.partstrat, pt.partnatts, a.attname,
                   format_type(a.atttypid, NULL), dn.nspname, d.relname,
                   EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = c.oid AND f.contype = 'f')
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
              LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
              LEFT JOIN pg_class d ON d.oid = pt.partdefid
              LEFT JOIN pg_namespace dn ON dn.oid = d.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";
    static final String PARTITIONS = """
            SELECT n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid)
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE i.inhparent = ? AND NOT c.relpartbound IS NULL
             ORDER BY c.relname""";
    static final String COLUMNS = """
            SELECT attname FROM pg_attribute
             WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
             ORDER BY attnum""";

    private static final Pattern RANGE = Pattern.compile("^FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)$");
    /** pgjdbc always runs with DateStyle ISO, so bounds print as 2026-03-01, 2026-03-01 00:00:00, ...+00[:mm]. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 6, true).optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder().append(TIMESTAMP)
            .optionalStart().appendOffset("+HH:mm", "+00").optionalEnd()
            .optionalStart().appendOffset("+HH", "+00").optionalEnd()
            .toFormatter();

    private PartitionCatalog() {}

    /** The table, or null when it does not exist (yet: a migration usually creates it after the database). */
    public static ActualPartitions read(Connection c, String schema, String table, PartitionInterval interval)
            throws SQLException, UnsupportedTableException {
        long oid;
        String owner;
        String keyColumn;
        KeyType keyType;
        Partition defaultPartition = null;
        boolean referenced;
        try (PreparedStatement ps = c.prepareStatement(TABLE)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String name = schema + "." + table;
                if (!"p".equals(rs.getString(3))) {
                    throw new UnsupportedTableException(name + " is not a partitioned table (create it with PARTITION BY RANGE (a date or timestamp column))");
                }
                if (!"r".equals(rs.getString(4))) {
                    throw new UnsupportedTableException(name + " is partitioned by " + ("l".equals(rs.getString(4)) ? "LIST" : "HASH")
                            + ", not by RANGE");
                }
                if (rs.getInt(5) != 1 || rs.getString(6) == null) {
                    throw new UnsupportedTableException(name + " must be partitioned by RANGE on one column (not several, not an expression)");
                }
                keyColumn = rs.getString(6);
                keyType = switch (rs.getString(7)) {
                    case "date" -> KeyType.DATE;
                    case "timestamp without time zone" -> KeyType.TIMESTAMP;
                    case "timestamp with time zone" -> KeyType.TIMESTAMPTZ;
                    default -> throw new UnsupportedTableException(name + " is partitioned by " + keyColumn + " of type " + rs.getString(7)
                            + "; only date, timestamp and timestamptz keys have intervals");
                };
                oid = rs.getLong(1);
                owner = rs.getString(2);
                if (rs.getString(9) != null) {
                    defaultPartition = new Partition(rs.getString(8), rs.getString(9), null, null);
                }
                referenced = rs.getBoolean(10);
            }
        }
        List<Partition> partitions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PARTITIONS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Matcher m = RANGE.matcher(rs.getString(3));
                    if (m.matches()) { // DEFAULT is the default partition, read above
                        partitions.add(new Partition(rs.getString(1), rs.getString(2), bound(m.group(1), keyType), bound(m.group(2), keyType)));
                    }
                }
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        long defaultRows = 0;
        Map<LocalDate, Long> byStart = new TreeMap<>();
        if (defaultPartition != null) {
            String sql = "SELECT date_trunc(" + Literals.quote(interval.field()) + ", "
                    + keyType.asTimestamp(Identifiers.quote(keyColumn)) + ")::date, count(*) FROM ONLY "
                    + Identifiers.quote(defaultPartition.schema()) + "." + Identifiers.quote(defaultPartition.name()) + " GROUP BY 1";
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    long n = rs.getLong(2);
                    defaultRows += n;
                    if (rs.getDate(1) != null) {
                        byStart.put(rs.getDate(1).toLocalDate(), n);
                    }
                }
            }
        }
        return new ActualPartitions(schema, table, owner, keyColumn, keyType, defaultPartition, List.copyOf(partitions),
                List.copyOf(columns), referenced, defaultRows, byStart);
    }

    /** One side of FOR VALUES FROM (..) TO (..): a quoted literal, or MINVALUE/MAXVALUE (null). */
    static LocalDateTime bound(String text, KeyType type) {
        if (text.equals("MINVALUE") || text.equals("MAXVALUE")) {
            return null;
        }
        if (text.length() < 2 || text.charAt(0) != '\'' || text.charAt(text.length() - 1) != '\'') {
            throw new IllegalArgumentException("unexpected partition bound " + text);
        }
        String value = text.substring(1, text.length() - 1);
        return switch (type) {
            case DATE -> LocalDate.parse(value).atStartOfDay();
            case TIMESTAMP -> LocalDateTime.parse(value, TIMESTAMP);
            case TIMESTAMPTZ -> OffsetDateTime.parse(value, TIMESTAMPTZ).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        };
    }
}
