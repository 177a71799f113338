package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** How far a standby cluster is behind its source (a PostgresCluster's status.standby), as its primary instance reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbyStatus {
    @Size(max = 253)
    @JsonPropertyDescription("The source cluster (spec.standby.source).")
    private String source;
    @JsonPropertyDescription("true while the primary instance receives WAL from the source over streaming replication.")
    private Boolean streaming;
    @Size(max = 32)
    @JsonPropertyDescription("The last WAL position received from the source.")
    private String receivedLsn;
    @Size(max = 32)
    @JsonPropertyDescription("The last WAL position replayed (visible to queries on this cluster).")
    private String replayedLsn;
    @Size(max = 32)
    @JsonPropertyDescription("The source's current WAL position when the operator last reached it (its replayed position if the source is a standby itself).")
    private String sourceLsn;
    @JsonPropertyDescription("Bytes of WAL the source has that this cluster has not replayed; absent when the source cannot be reached.")
    private Long lagBytes;
    @Size(max = 64)
    @JsonPropertyDescription("Commit time of the last transaction replayed from the source.")
    private String lastReplayedTime;
    @JsonPropertyDescription("How late the standby is, in seconds: 0 when it has replayed all the source has; else the shorter of the age of the last commit it replayed and how long it has been behind (so neither a busy source nor an idle one's background WAL inflates it); absent while the source does not answer.")
    private Long replayDelaySeconds;
    @Size(max = 64)
    @JsonPropertyDescription("When spec.standby.enabled: false promoted this cluster.")
    private String promotedAt;
    @Size(max = 64)
    @JsonPropertyDescription("When the cluster was last demoted (spec.standby added to a primary cluster): every instance then restarts and is rewound onto the source.")
    private String demotedAt;
    @Size(max = 64)
    @JsonPropertyDescription("Since when the standby has been continuously behind its source; absent while it is not.")
    private String behindSince;
    @Size(max = 512)
    @JsonPropertyDescription("The folder of the source's WAL archive the standby replays (spec.standby.archive), as the source recorded it.")
    private String archivePrefix;
    @Size(max = 1024)
    @JsonPropertyDescription("What the operator could not read, e.g. the source is unreachable (expected when its region is lost).")
    private String message;

    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public Boolean getStreaming() { return streaming; }
    public void setStreaming(Boolean streaming) { this.streaming = streaming; }
    public String getReceivedLsn() { return receivedLsn; }
    public void setReceivedLsn(String receivedLsn) { this.receivedLsn = receivedLsn; }
    public String getReplayedLsn() { return replayedLsn; }
    public void setReplayedLsn(String replayedLsn) { this.replayedLsn = replayedLsn; }
    public String getSourceLsn() { return sourceLsn; }
    public void setSourceLsn(String sourceLsn) { this.sourceLsn = sourceLsn; }
    public Long getLagBytes() { return lagBytes; }
    public void setLagBytes(Long lagBytes) { this.lagBytes = lagBytes; }
    public String getLastReplayedTime() { return lastReplayedTime; }
    public void setLastReplayedTime(String lastReplayedTime) { this.lastReplayedTime = lastReplayedTime; }
    public Long getReplayDelaySeconds() { return replayDelaySeconds; }
    public void setReplayDelaySeconds(Long replayDelaySeconds) { this.replayDelaySeconds = replayDelaySeconds; }
    public String getPromotedAt() { return promotedAt; }
    public void setPromotedAt(String promotedAt) { this.promotedAt = promotedAt; }
    public String getDemotedAt() { return demotedAt; }
    public void setDemotedAt(String demotedAt) { this.demotedAt = demotedAt; }
    public String getBehindSince() { return behindSince; }
    public void setBehindSince(String behindSince) { this.behindSince = behindSince; }
    public String getArchivePrefix() { return archivePrefix; }
    public void setArchivePrefix(String archivePrefix) { this.archivePrefix = archivePrefix; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
}
