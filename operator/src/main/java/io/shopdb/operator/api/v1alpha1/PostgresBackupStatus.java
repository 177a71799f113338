package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

/** What the backup Job reported (the agent's result, read from the pod's termination message). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresBackupStatus extends ShopdbStatus implements AgentRunStatus {
    @JsonPropertyDescription("Id of the backup in storage (its folder name).")
    private String backupId;
    @JsonPropertyDescription("Where the backup is, e.g. pvc://backups/shop/<id> or s3://bucket/prefix/<id>.")
    private String location;
    @JsonPropertyDescription("The Job running (or that ran) the agent.")
    private String jobName;
    @JsonPropertyDescription("Jobs started so far (retries after retryable failures included).")
    private Integer attempts;
    @JsonPropertyDescription("When the first Job started (RFC 3339).")
    private String startTime;
    @JsonPropertyDescription("When the backup finished (RFC 3339).")
    private String completionTime;
    @JsonPropertyDescription("How long the agent took, e.g. 12.3s.")
    private String duration;
    @JsonPropertyDescription("Total size of the stored files in bytes.")
    private Long sizeBytes;
    @JsonPropertyDescription("Number of stored files.")
    private Integer fileCount;
    @JsonPropertyDescription("Stored files with SHA-256 (omitted when too many for a status; the manifest has them all).")
    private List<BackupFile> files = new ArrayList<>();
    @JsonPropertyDescription("SHA-256 of manifest.json, to check the stored manifest is the one this status describes.")
    private String manifestSha256;
    @JsonPropertyDescription("PostgreSQL version of the server that was backed up.")
    private String postgresVersion;
    @JsonPropertyDescription("Databases in the backup (logical).")
    private List<String> databases = new ArrayList<>();
    @JsonPropertyDescription("WAL range the backup needs (physical): timeline/startLsn-endLsn.")
    private String walRange;
    @JsonPropertyDescription("Physical: the folder of the source cluster's WAL in its archive target when the backup ran (its status.walArchive.prefix); a point-in-time recovery from this backup replays WAL from there.")
    private String walArchivePrefix;
    @JsonPropertyDescription("Last failure of the agent: reason (from the exit code) and message.")
    private String lastFailure;

    public String getBackupId() { return backupId; }
    public void setBackupId(String backupId) { this.backupId = backupId; }
    public String getLocation() { return location; }
    public void setLocation(String location) { this.location = location; }
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
    public Long getSizeBytes() { return sizeBytes; }
    public void setSizeBytes(Long sizeBytes) { this.sizeBytes = sizeBytes; }
    public Integer getFileCount() { return fileCount; }
    public void setFileCount(Integer fileCount) { this.fileCount = fileCount; }
    public List<BackupFile> getFiles() { return files; }
    public void setFiles(List<BackupFile> files) { this.files = files; }
    public String getManifestSha256() { return manifestSha256; }
    public void setManifestSha256(String manifestSha256) { this.manifestSha256 = manifestSha256; }
    public String getPostgresVersion() { return postgresVersion; }
    public void setPostgresVersion(String postgresVersion) { this.postgresVersion = postgresVersion; }
    public List<String> getDatabases() { return databases; }
    public void setDatabases(List<String> databases) { this.databases = databases; }
    public String getWalArchivePrefix() { return walArchivePrefix; }
    public void setWalArchivePrefix(String walArchivePrefix) { this.walArchivePrefix = walArchivePrefix; }
    public String getWalRange() { return walRange; }
    public void setWalRange(String walRange) { this.walRange = walRange; }
    public String getLastFailure() { return lastFailure; }
    public void setLastFailure(String lastFailure) { this.lastFailure = lastFailure; }
}
