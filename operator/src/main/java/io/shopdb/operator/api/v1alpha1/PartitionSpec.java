package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Declared maintenance of one range-partitioned table (an item of PostgresDatabase spec.partitions). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartitionSpec {
    public enum Interval { day, week, month }

    public enum DefaultRows { move, keep }

    public enum RetentionAction { detach, drop }

    @Required
    @Size(max = 117)
    @Pattern("^[^.\\x00-\\x1f\\x7f]{1,63}\\.[^.\\x00-\\x1f\\x7f]{1,52}$")
    @JsonPropertyDescription("The table as schema.table, e.g. sales.orders, partitioned BY RANGE on one date, timestamp or "
            + "timestamptz column (read from the catalog). New partitions are named after it: orders_2026_03 (month), "
            + "orders_2026w09 (ISO week), orders_2026_03_15 (day); the table name is at most 52 bytes so they fit in 63.")
    private String table;

    @Required
    @JsonPropertyDescription("The width of one partition: day, week (ISO, from Monday) or month. Intervals start at midnight UTC.")
    private Interval interval;

    @Min(1)
    @Max(400)
    @Default("3")
    @JsonPropertyDescription("How many partitions after the current interval's to keep created (default 3). The current one is always created.")
    private Integer premake = 3;

    @JsonPropertyDescription("Partitions older than this are detached or dropped. Without it every partition is kept.")
    private RetentionSpec retention;

    @Default("\"move\"")
    @JsonPropertyDescription("Rows that landed in the default partition: move (default) puts them into partitions of their own "
            + "interval in one transaction; keep leaves them (their intervals' partitions are then not created). "
            + "status.partitions[].defaultRows counts them either way.")
    private DefaultRows defaultRows = DefaultRows.move;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RetentionSpec {
        @Required
        @Min(1)
        @Max(10000)
        @JsonPropertyDescription("How many intervals before the current one to keep; a partition ending before them is detached or dropped.")
        private Integer keep;

        @Default("\"detach\"")
        @JsonPropertyDescription("detach (default) leaves the old partition as a plain table of the same name; drop deletes it and its rows.")
        private RetentionAction action = RetentionAction.detach;

        public Integer getKeep() { return keep; }
        public void setKeep(Integer keep) { this.keep = keep; }
        public RetentionAction getAction() { return action; }
        public void setAction(RetentionAction action) { this.action = action; }
    }

    public String getTable() { return table; }
    public void setTable(String table) { this.table = table; }
    public Interval getInterval() { return interval; }
    public void setInterval(Interval interval) { this.interval = interval; }
    public Integer getPremake() { return premake; }
    public void setPremake(Integer premake) { this.premake = premake; }
    public RetentionSpec getRetention() { return retention; }
    public void setRetention(RetentionSpec retention) { this.retention = retention; }
    public DefaultRows getDefaultRows() { return defaultRows; }
    public void setDefaultRows(DefaultRows defaultRows) { this.defaultRows = defaultRows; }
}
