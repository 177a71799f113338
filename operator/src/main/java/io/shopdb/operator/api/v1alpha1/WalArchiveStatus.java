package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the primary's archiver reports (pg_stat_archiver) and the window a point-in-time recovery can reach. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WalArchiveStatus {
    @JsonPropertyDescription("The folder of this cluster's WAL in the archive target: wal/<namespace>/<name>/<uid>, fixed when archiving starts (a cluster re-created under its name gets a new folder).")
    private String prefix;
    @JsonPropertyDescription("The newest WAL file in the archive (pg_stat_archiver.last_archived_wal of the primary).")
    private String lastArchivedWal;
    @JsonPropertyDescription("When it was archived (RFC 3339).")
    private String lastArchivedTime;
    @JsonPropertyDescription("WAL files archived since the primary started.")
    private Long archivedCount;
    @JsonPropertyDescription("Failed archive attempts since the primary started.")
    private Long failedCount;
    @JsonPropertyDescription("The WAL file of the last failed attempt.")
    private String lastFailedWal;
    @JsonPropertyDescription("When the last attempt failed (RFC 3339).")
    private String lastFailedTime;
    @JsonPropertyDescription("WAL files finished but not yet archived (the archiving lag, in 16 MiB files).")
    private Long pendingFiles;
    @JsonPropertyDescription("Archived WAL before this segment is deleted (retention): the start of the oldest Ready physical backup.")
    private String keepFrom;
    @JsonPropertyDescription("The earliest point a point-in-time recovery can reach: when the oldest Ready physical backup of this cluster completed.")
    private String recoverableFrom;
    @JsonPropertyDescription("The latest point a point-in-time recovery can reach: when the newest WAL file was archived.")
    private String recoverableUntil;

    @JsonPropertyDescription("The last named restore point the operator created (annotation shopdb.io/restore-point): a target for recovery.targetName.")
    private RestorePoint lastRestorePoint;

    public RestorePoint getLastRestorePoint() { return lastRestorePoint; }
    public void setLastRestorePoint(RestorePoint v) { lastRestorePoint = v; }

    /** A restore point: pg_create_restore_point's name, the LSN it returned and when. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RestorePoint {
        @JsonPropertyDescription("The name, as given in the annotation.")
        private String name;
        @JsonPropertyDescription("Its WAL location.")
        private String lsn;
        @JsonPropertyDescription("When it was created (RFC 3339).")
        private String time;

        public RestorePoint() {}
        public RestorePoint(String name, String lsn, String time) { this.name = name; this.lsn = lsn; this.time = time; }
        public String getName() { return name; }
        public void setName(String v) { name = v; }
        public String getLsn() { return lsn; }
        public void setLsn(String v) { lsn = v; }
        public String getTime() { return time; }
        public void setTime(String v) { time = v; }
    }

    public String getPrefix() { return prefix; }
    public void setPrefix(String prefix) { this.prefix = prefix; }
    public String getLastArchivedWal() { return lastArchivedWal; }
    public void setLastArchivedWal(String v) { lastArchivedWal = v; }
    public String getLastArchivedTime() { return lastArchivedTime; }
    public void setLastArchivedTime(String v) { lastArchivedTime = v; }
    public Long getArchivedCount() { return archivedCount; }
    public void setArchivedCount(Long v) { archivedCount = v; }
    public Long getFailedCount() { return failedCount; }
    public void setFailedCount(Long v) { failedCount = v; }
    public String getLastFailedWal() { return lastFailedWal; }
    public void setLastFailedWal(String v) { lastFailedWal = v; }
    public String getLastFailedTime() { return lastFailedTime; }
    public void setLastFailedTime(String v) { lastFailedTime = v; }
    public Long getPendingFiles() { return pendingFiles; }
    public void setPendingFiles(Long v) { pendingFiles = v; }
    public String getKeepFrom() { return keepFrom; }
    public void setKeepFrom(String v) { keepFrom = v; }
    public String getRecoverableFrom() { return recoverableFrom; }
    public void setRecoverableFrom(String v) { recoverableFrom = v; }
    public String getRecoverableUntil() { return recoverableUntil; }
    public void setRecoverableUntil(String v) { recoverableUntil = v; }
}
