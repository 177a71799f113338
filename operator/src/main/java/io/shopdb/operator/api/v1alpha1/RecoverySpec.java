package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Point-in-time recovery of a cluster bootstrapped from a physical backup: replay archived WAL after the backup up to
 * one target (PostgreSQL's recovery_target_time, _lsn, _xid or _name), or to the end of the archive when none is given,
 * then promote.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.targetTime), has(self.targetLSN), has(self.targetXID), has(self.targetName)].filter(x, x).size() <= 1",
        message = "give at most one of targetTime, targetLSN, targetXID, targetName (none: recover to the end of the archive)")
public class RecoverySpec {
    @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$")
    @Size(max = 40)
    @JsonPropertyDescription("Recover up to this instant (RFC 3339 with a zone, e.g. 2026-12-01T09:30:00Z): transactions committed after it are not replayed.")
    private String targetTime;

    @JsonProperty("targetLSN")
    @Pattern("^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")
    @Size(max = 17)
    @JsonPropertyDescription("Recover up to this WAL location (e.g. 0/3000060), inclusive.")
    private String targetLSN;

    @JsonProperty("targetXID")
    @Pattern("^[0-9]{1,20}$")
    @Size(max = 20)
    @JsonPropertyDescription("Recover up to and including this transaction id.")
    private String targetXID;

    @Pattern("^[^\\n\\r]+$")
    @Size(max = 63)
    @JsonPropertyDescription("Recover up to this named restore point (pg_create_restore_point; see the cluster annotation shopdb.io/restore-point).")
    private String targetName;

    @JsonPropertyDescription("Where the source cluster's WAL is archived. Default: the spec.walArchive of the backup's source cluster, which must then still exist.")
    private ArchiveSource archive;

    public String getTargetTime() { return targetTime; }
    public void setTargetTime(String targetTime) { this.targetTime = targetTime; }
    public String getTargetLSN() { return targetLSN; }
    public void setTargetLSN(String targetLSN) { this.targetLSN = targetLSN; }
    public String getTargetXID() { return targetXID; }
    public void setTargetXID(String targetXID) { this.targetXID = targetXID; }
    public String getTargetName() { return targetName; }
    public void setTargetName(String targetName) { this.targetName = targetName; }
    public ArchiveSource getArchive() { return archive; }
    public void setArchive(ArchiveSource archive) { this.archive = archive; }

    /** A WAL archive of a cluster that may no longer exist. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ArchiveSource {
        @io.fabric8.generator.annotation.Required
        @JsonPropertyDescription("The target the source cluster archived to (its spec.walArchive.target).")
        private BackupTarget target;

        @io.fabric8.generator.annotation.Required
        @Pattern(Names.DNS_LABEL)
        @Size(max = 63)
        @JsonPropertyDescription("The source cluster's name. The WAL is read from the folder the backup recorded (its status.walArchivePrefix, wal/<namespace>/<cluster>/<uid>); for a backup that recorded none, from <target>/wal/<cluster>/.")
        private String cluster;

        public BackupTarget getTarget() { return target; }
        public void setTarget(BackupTarget target) { this.target = target; }
        public String getCluster() { return cluster; }
        public void setCluster(String cluster) { this.cluster = cluster; }
    }
}
