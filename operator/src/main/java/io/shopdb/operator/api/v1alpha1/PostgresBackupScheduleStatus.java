package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresBackupScheduleStatus extends ShopdbStatus {
    @JsonPropertyDescription("When the last run was started (RFC 3339).")
    private String lastScheduleTime;
    @JsonPropertyDescription("When the next cron run is due (RFC 3339); empty while suspended.")
    private String nextScheduleTime;
    @JsonPropertyDescription("The PostgresBackup of the run in progress.")
    private String activeBackup;
    @JsonPropertyDescription("The last successful backup: name and completion time.")
    private BackupRef lastSuccessfulBackup;
    @JsonPropertyDescription("The last failed backup: name, time and message.")
    private BackupRef lastFailure;
    @JsonPropertyDescription("The last restore drill: backup, time, ok, message.")
    private VerifiedRestore lastVerifiedRestore;
    @JsonPropertyDescription("The restore drill in progress: backup, Job, attempts.")
    private VerifyRun activeVerify;
    @JsonPropertyDescription("The shopdb.io/run-now annotation value already acted on.")
    private String handledRunNow;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class BackupRef {
        @JsonPropertyDescription("PostgresBackup name.")
        private String name;
        @JsonPropertyDescription("When it finished (RFC 3339).")
        private String time;
        @JsonPropertyDescription("What went wrong (failures only).")
        private String message;

        public BackupRef() {}
        public BackupRef(String name, String time, String message) {
            this.name = name;
            this.time = time;
            this.message = message;
        }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getTime() { return time; }
        public void setTime(String time) { this.time = time; }
        public String getMessage() { return message; }
        public void setMessage(String message) { this.message = message; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VerifyRun implements AgentRunStatus {
        @JsonPropertyDescription("PostgresBackup under drill.")
        private String backup;
        @JsonPropertyDescription("The agent Job of the current attempt.")
        private String jobName;
        @JsonPropertyDescription("Agent Jobs started so far for this drill.")
        private Integer attempts;
        @JsonPropertyDescription("When the drill started (RFC 3339).")
        private String startTime;
        @JsonPropertyDescription("Last failure of an attempt: reason and message.")
        private String lastFailure;

        public String getBackup() { return backup; }
        public void setBackup(String backup) { this.backup = backup; }
        public String getJobName() { return jobName; }
        public void setJobName(String jobName) { this.jobName = jobName; }
        public Integer getAttempts() { return attempts; }
        public void setAttempts(Integer attempts) { this.attempts = attempts; }
        public String getStartTime() { return startTime; }
        public void setStartTime(String startTime) { this.startTime = startTime; }
        public String getLastFailure() { return lastFailure; }
        public void setLastFailure(String lastFailure) { this.lastFailure = lastFailure; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VerifiedRestore {
        @JsonPropertyDescription("PostgresBackup that was restored.")
        private String backup;
        @JsonPropertyDescription("When the drill finished (RFC 3339).")
        private String time;
        @JsonPropertyDescription("True when every row count and check matched.")
        private Boolean ok;
        @JsonPropertyDescription("Mismatches or the failure, in words.")
        private String message;

        public String getBackup() { return backup; }
        public void setBackup(String backup) { this.backup = backup; }
        public String getTime() { return time; }
        public void setTime(String time) { this.time = time; }
        public Boolean getOk() { return ok; }
        public void setOk(Boolean ok) { this.ok = ok; }
        public String getMessage() { return message; }
        public void setMessage(String message) { this.message = message; }
    }

    public String getLastScheduleTime() { return lastScheduleTime; }
    public void setLastScheduleTime(String lastScheduleTime) { this.lastScheduleTime = lastScheduleTime; }
    public String getNextScheduleTime() { return nextScheduleTime; }
    public void setNextScheduleTime(String nextScheduleTime) { this.nextScheduleTime = nextScheduleTime; }
    public String getActiveBackup() { return activeBackup; }
    public void setActiveBackup(String activeBackup) { this.activeBackup = activeBackup; }
    public BackupRef getLastSuccessfulBackup() { return lastSuccessfulBackup; }
    public void setLastSuccessfulBackup(BackupRef lastSuccessfulBackup) { this.lastSuccessfulBackup = lastSuccessfulBackup; }
    public BackupRef getLastFailure() { return lastFailure; }
    public void setLastFailure(BackupRef lastFailure) { this.lastFailure = lastFailure; }
    public VerifiedRestore getLastVerifiedRestore() { return lastVerifiedRestore; }
    public void setLastVerifiedRestore(VerifiedRestore lastVerifiedRestore) { this.lastVerifiedRestore = lastVerifiedRestore; }
    public VerifyRun getActiveVerify() { return activeVerify; }
    public void setActiveVerify(VerifyRun activeVerify) { this.activeVerify = activeVerify; }
    public String getHandledRunNow() { return handledRunNow; }
    public void setHandledRunNow(String handledRunNow) { this.handledRunNow = handledRunNow; }
}
