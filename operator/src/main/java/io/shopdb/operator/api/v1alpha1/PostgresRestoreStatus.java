package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.LinkedHashMap;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresRestoreStatus extends ShopdbStatus implements AgentRunStatus {
    @JsonPropertyDescription("Id of the restored backup in storage.")
    private String backupId;
    @JsonPropertyDescription("The Job running (or that ran) the agent.")
    private String jobName;
    @JsonPropertyDescription("Agent Jobs started so far (retries after retryable failures included).")
    private Integer attempts;
    @JsonPropertyDescription("When the Job started (RFC 3339).")
    private String startTime;
    @JsonPropertyDescription("When the restore finished (RFC 3339).")
    private String completionTime;
    @JsonPropertyDescription("How long the agent took, e.g. 4.2s.")
    private String duration;
    @JsonPropertyDescription("Rows per table (schema.table) after the restore, as the agent counted them (omitted when too many).")
    private Map<String, Long> rowCounts = new LinkedHashMap<>();
    @JsonPropertyDescription("Number of tables restored.")
    private Integer tables;
    @JsonPropertyDescription("Last failure of the agent: reason (from the exit code) and message.")
    private String lastFailure;

    public String getBackupId() { return backupId; }
    public void setBackupId(String backupId) { this.backupId = backupId; }
    public String getJobName() { return jobName; }
    public void setJobName(String jobName) { this.jobName = jobName; }
    public Integer getAttempts() { return attempts; }
    public void setAttempts(Integer attempts) { this.attempts = attempts; }
    public String getStartTime() { return startTime; }
    public void setStartTime(String startTime) { this.startTime = startTime; }
    public String getCompletionTime() { return completionTime; }
    public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
    public String getDuration() { return duration; }
    public void setDuration(String duration) { this.duration = duration; }
    public Map<String, Long> getRowCounts() { return rowCounts; }
    public void setRowCounts(Map<String, Long> rowCounts) { this.rowCounts = rowCounts; }
    public Integer getTables() { return tables; }
    public void setTables(Integer tables) { this.tables = tables; }
    public String getLastFailure() { return lastFailure; }
    public void setLastFailure(String lastFailure) { this.lastFailure = lastFailure; }
}
