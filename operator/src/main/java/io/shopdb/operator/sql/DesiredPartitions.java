package io.shopdb.operator.sql;

/**
 * Declared maintenance of one range-partitioned table: partitions for the current interval and
 * {@code premake} ahead; partitions entirely older than {@code keep} intervals before the current one
 * detached (or dropped); rows that landed in the default partition moved into partitions of their own.
 *
 * @param keep null keeps every partition
 */
public record DesiredPartitions(String schema, String table, PartitionInterval interval, int premake,
                                Integer keep, boolean drop, boolean moveDefaultRows) {

    public DesiredPartitions {
        Identifiers.require("schema", schema);
        Identifiers.require("table", table);
        if (table.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + PartitionInterval.MAX_SUFFIX > Identifiers.MAX_BYTES) {
            throw new IllegalArgumentException("table " + table + ": partition names add " + PartitionInterval.MAX_SUFFIX
                    + " bytes to the table's name and must stay within " + Identifiers.MAX_BYTES + " bytes");
        }
        if (interval == null) {
            throw new IllegalArgumentException("interval is required");
        }
        if (premake < 1) {
            throw new IllegalArgumentException("premake must be at least 1");
        }
        if (keep != null && keep < 1) {
            throw new IllegalArgumentException("retention.keep must be at least 1");
        }
    }

    /** schema.table as people write it (status, messages). */
    public String qualifiedName() {
        return schema + "." + table;
    }

    /** The name of the partition of the interval starting at {@code start}. */
    public String partitionName(java.time.LocalDate start) {
        return table + "_" + interval.suffix(start);
    }
}
