package io.shopdb.operator.sql;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

/**
 * A range-partitioned table as the catalog shows it. Bounds are read as the server prints them and turned
 * into local date-times (UTC for timestamptz); null stands for MINVALUE / MAXVALUE.
 *
 * @param columns           the columns a row move copies (not dropped, not generated), in table order
 * @param referenced        a foreign key of another table points at this one (a move must then not fire
 *                          the referencing checks between deleting a row and inserting it again)
 * @param defaultRows       rows in the default partition, 0 without one
 * @param defaultRowsByStart those rows by the start of the declared interval they belong to (rows with a
 *                          NULL key have no interval and are counted only in {@code defaultRows})
 */
public record ActualPartitions(String schema, String table, String owner, String keyColumn, KeyType keyType,
                               Partition defaultPartition, List<Partition> partitions, List<String> columns,
                               boolean referenced, long defaultRows, Map<LocalDate, Long> defaultRowsByStart) {

    public record Partition(String schema, String name, LocalDateTime from, LocalDateTime to) {
        public String qualifiedName() {
            return schema + "." + name;
        }

        /** Whether this partition shares any instant with [from, to). */
        public boolean overlaps(LocalDateTime otherFrom, LocalDateTime otherTo) {
            return (from == null || from.isBefore(otherTo)) && (to == null || to.isAfter(otherFrom));
        }
    }

    /** The key types the maintenance understands, each with the literal form of a bound. */
    public enum KeyType {
        DATE, TIMESTAMP, TIMESTAMPTZ;

        public String literal(LocalDate day) {
            return switch (this) {
                case DATE -> day.toString();
                case TIMESTAMP -> day + " 00:00:00";
                case TIMESTAMPTZ -> day + " 00:00:00+00";
            };
        }

        /** The key as a timestamp without time zone (UTC for timestamptz), for date_trunc. */
        public String asTimestamp(String quotedColumn) {
            return switch (this) {
                case DATE -> quotedColumn + "::timestamp";
                case TIMESTAMP -> quotedColumn;
                case TIMESTAMPTZ -> quotedColumn + " AT TIME ZONE 'UTC'";
            };
        }
    }
}
