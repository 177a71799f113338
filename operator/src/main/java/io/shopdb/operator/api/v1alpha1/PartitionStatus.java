package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** One partitioned table as the last re-check found it (an item of PostgresDatabase status.partitions). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartitionStatus {
    @Size(max = 117)
    @JsonPropertyDescription("The table, schema.table.")
    private String table;
    @JsonPropertyDescription("False while the table does not exist yet (e.g. before the migration that creates it).")
    private Boolean exists;
    @JsonPropertyDescription("Whether a partition holds today's rows (else they go to the default partition).")
    private Boolean current;
    @JsonPropertyDescription("Partitions that start after the current interval.")
    private Integer ahead;
    @Size(max = 32)
    @JsonPropertyDescription("Upper bound (exclusive) of the newest partition: a date, or MAXVALUE.")
    private String newestBound;
    @JsonPropertyDescription("Partitions that end before the current interval.")
    private Integer behind;
    @Size(max = 32)
    @JsonPropertyDescription("Lower bound of the oldest partition: a date, or MINVALUE.")
    private String oldestBound;
    @JsonPropertyDescription("Rows in the default partition after the re-check (0 when there is no default partition).")
    private Long defaultRows;
    @Size(max = 1024)
    @JsonPropertyDescription("Why rows stay in the default partition, or what failed, when something did.")
    private String message;

    public String getTable() { return table; }
    public void setTable(String table) { this.table = table; }
    public Boolean getExists() { return exists; }
    public void setExists(Boolean exists) { this.exists = exists; }
    public Boolean getCurrent() { return current; }
    public void setCurrent(Boolean current) { this.current = current; }
    public Integer getAhead() { return ahead; }
    public void setAhead(Integer ahead) { this.ahead = ahead; }
    public String getNewestBound() { return newestBound; }
    public void setNewestBound(String newestBound) { this.newestBound = newestBound; }
    public Integer getBehind() { return behind; }
    public void setBehind(Integer behind) { this.behind = behind; }
    public String getOldestBound() { return oldestBound; }
    public void setOldestBound(String oldestBound) { this.oldestBound = oldestBound; }
    public Long getDefaultRows() { return defaultRows; }
    public void setDefaultRows(Long defaultRows) { this.defaultRows = defaultRows; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
}
