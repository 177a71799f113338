package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Restore one database of a logical backup into a database of a cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a restore's spec is immutable; create a new PostgresRestore")
@ValidationRule(value = "has(self.backupRef) != has(self.source)", message = "give exactly one of backupRef or source")
public class PostgresRestoreSpec {
    @JsonPropertyDescription("The PostgresBackup to restore (it must be Ready).")
    private LocalReference backupRef;

    @JsonPropertyDescription("Or a backup in storage, by location and id (e.g. one whose PostgresBackup is gone).")
    private Source source;

    @Required
    @JsonPropertyDescription("The PostgresCluster to restore into.")
    private LocalReference clusterRef;

    @Required
    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    @ValidationRule(value = "!(self in ['postgres', 'template0', 'template1'])",
            message = "postgres, template0 and template1 are the server's own databases and cannot be restored into")
    @JsonPropertyDescription("Database to restore into. It is created; an existing one is used only when empty, or replaced with overwrite: true. Not postgres, template0 or template1 (the server's own).")
    private String targetDatabase;

    @Pattern(Names.PG_IDENTIFIER)

    @Size(max = Names.IDENTIFIER_MAX)
    @JsonPropertyDescription("Database of the backup to restore (needed when the backup has several).")
    private String database;

    @JsonPropertyDescription("Replace targetDatabase when it already holds tables: the backup is restored into a scratch database first and swapped in only when complete (row counts checked); the target keeps its owner, grants and settings, and sessions on it are cut at the swap. A failed restore leaves the target as it was.")
    private Boolean overwrite;

    @JsonPropertyDescription("Skip ownership and grants (pg_restore --no-owner --no-privileges), for a cluster without the original roles.")
    private Boolean noOwner;

    @Min(1)
    @Max(16)
    @JsonPropertyDescription("Parallel pg_restore jobs. Default 1.")
    private Integer jobs;

    @Min(1)
    @Max(10080)
    @JsonPropertyDescription("Minutes the restore may run; its Job gets activeDeadlineSeconds of this plus 5 minutes. Default 360.")
    private Integer timeoutMinutes;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        @Required
        @JsonPropertyDescription("Where the backup is stored.")
        private BackupTarget target;

        @Required
        @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
        @Size(max = 128)
        @JsonPropertyDescription("Id (folder) of the backup in that storage.")
        private String backupId;

        public BackupTarget getTarget() { return target; }
        public void setTarget(BackupTarget target) { this.target = target; }
        public String getBackupId() { return backupId; }
        public void setBackupId(String backupId) { this.backupId = backupId; }
    }

    public LocalReference getBackupRef() { return backupRef; }
    public void setBackupRef(LocalReference backupRef) { this.backupRef = backupRef; }
    public Source getSource() { return source; }
    public void setSource(Source source) { this.source = source; }
    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getTargetDatabase() { return targetDatabase; }
    public void setTargetDatabase(String targetDatabase) { this.targetDatabase = targetDatabase; }
    public String getDatabase() { return database; }
    public void setDatabase(String database) { this.database = database; }
    public Boolean getOverwrite() { return overwrite; }
    public void setOverwrite(Boolean overwrite) { this.overwrite = overwrite; }
    public Boolean getNoOwner() { return noOwner; }
    public void setNoOwner(Boolean noOwner) { this.noOwner = noOwner; }
    public Integer getJobs() { return jobs; }
    public void setJobs(Integer jobs) { this.jobs = jobs; }
    public Integer getTimeoutMinutes() { return timeoutMinutes; }
    public void setTimeoutMinutes(Integer timeoutMinutes) { this.timeoutMinutes = timeoutMinutes; }
}
