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
    @JsonPropertyDescription("Seconds between the source's newest commit and the last one replayed here: 0 when nothing is waiting to be replayed.")
    private Long replayDelaySeconds;
    @Size(max = 64)
    @JsonPropertyDescription("When spec.standby.enabled: false promoted this cluster.")
    private String promotedAt;
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
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
}
