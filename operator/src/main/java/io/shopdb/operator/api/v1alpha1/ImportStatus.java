package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

/** status.import of a PostgresDatabase: the one run of spec.import (its agent Job attempts) and its integrity report. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImportStatus implements AgentRunStatus {
    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String MISMATCH = "Mismatch";
    public static final String FAILED = "Failed";

    @JsonPropertyDescription("Running, Succeeded (counts and checksums equal: never run again), Mismatch or Failed.")
    private String phase;
    @JsonPropertyDescription("The source, as host:port/database.")
    private String source;
    @JsonPropertyDescription("The agent Job of the current or last attempt.")
    private String jobName;
    @JsonPropertyDescription("Jobs started so far (a retryable failure starts another).")
    private Integer attempts;
    @JsonPropertyDescription("When the first attempt started.")
    private String startTime;
    @JsonPropertyDescription("When the import finished (the Job's completion).")
    private String completionTime;
    @JsonPropertyDescription("The source's exported snapshot the copy and the source checksums were taken in.")
    private String snapshot;
    @JsonPropertyDescription("Tables whose row count and checksum were compared.")
    private Integer tablesChecked;
    @JsonPropertyDescription("How many tables differ.")
    private Integer mismatchCount;
    @JsonPropertyDescription("The first tables that differ, as schema.table: what differs (at most 10).")
    private List<String> mismatches = new ArrayList<>();
    @JsonPropertyDescription("Roles of the source that no PostgresRole of this cluster declares: not copied (nor their grants); declare those still needed (at most 40).")
    private List<String> rolesNotCarriedOver = new ArrayList<>();
    @JsonPropertyDescription("How long the copy and the comparison took.")
    private String duration;
    @JsonPropertyDescription("The last failed attempt's reason and message.")
    private String lastFailure;
    @JsonPropertyDescription("The outcome in words.")
    private String message;

    public String getPhase() { return phase; }
    public void setPhase(String phase) { this.phase = phase; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    @Override public String getJobName() { return jobName; }
    @Override public void setJobName(String jobName) { this.jobName = jobName; }
    @Override public Integer getAttempts() { return attempts; }
    @Override public void setAttempts(Integer attempts) { this.attempts = attempts; }
    @Override public String getStartTime() { return startTime; }
    @Override public void setStartTime(String startTime) { this.startTime = startTime; }
    public String getCompletionTime() { return completionTime; }
    public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
    public String getSnapshot() { return snapshot; }
    public void setSnapshot(String snapshot) { this.snapshot = snapshot; }
    public Integer getTablesChecked() { return tablesChecked; }
    public void setTablesChecked(Integer tablesChecked) { this.tablesChecked = tablesChecked; }
    public Integer getMismatchCount() { return mismatchCount; }
    public void setMismatchCount(Integer mismatchCount) { this.mismatchCount = mismatchCount; }
    public List<String> getMismatches() { return mismatches; }
    public void setMismatches(List<String> mismatches) { this.mismatches = mismatches; }
    public List<String> getRolesNotCarriedOver() { return rolesNotCarriedOver; }
    public void setRolesNotCarriedOver(List<String> rolesNotCarriedOver) { this.rolesNotCarriedOver = rolesNotCarriedOver; }
    public String getDuration() { return duration; }
    public void setDuration(String duration) { this.duration = duration; }
    @Override public String getLastFailure() { return lastFailure; }
    @Override public void setLastFailure(String lastFailure) { this.lastFailure = lastFailure; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
}
