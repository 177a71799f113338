package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/** What a backup does, without the cluster: the spec of a PostgresBackup and the template of a schedule. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.method != 'logical' || (has(self.databases) && size(self.databases) > 0)",
        message = "a logical backup needs spec.databases (one pg_dump per database)")
@ValidationRule(value = "self.method != 'physical' || !has(self.databases) || size(self.databases) == 0",
        message = "a physical backup copies the whole cluster; spec.databases is for logical backups")
@ValidationRule(value = "!has(self.jobs) || self.jobs == 1 || self.format == 'directory'",
        message = "parallel jobs need format: directory")
public class BackupTemplate {
    @Default("\"logical\"")
    @JsonPropertyDescription("logical (pg_dump per database) or physical (pg_basebackup of the whole cluster, with the WAL it needs).")
    private BackupMethod method = BackupMethod.logical;

    @JsonPropertyDescription("Databases to dump (logical only), each as its own file(s) in the same backup.")
    @Size(max = Names.NAMES_MAX)
    private List<@Pattern(Names.PG_IDENTIFIER) @Size(max = Names.IDENTIFIER_MAX) String> databases = new ArrayList<>();

    @Default("\"custom\"")
    @JsonPropertyDescription("pg_dump format (logical): custom (one file per database) or directory (one file per table, allows parallel jobs).")
    private DumpFormat format = DumpFormat.custom;

    @Min(1)
    @Max(16)
    @JsonPropertyDescription("Parallel pg_dump/pg_restore jobs (format: directory only). Default 1.")
    private Integer jobs;

    @Pattern("^(none|gzip(:[1-9])?|zstd(:[0-9]{1,2})?|lz4(:[0-9]{1,2})?)$")
    @Size(max = 8)
    @JsonPropertyDescription("Compression: none, gzip[:1-9], zstd[:N] or lz4[:N]. Default gzip.")
    private String compression;

    @Required
    @JsonPropertyDescription("Where the backup is stored: a PVC or S3. Encryption at rest: S3 server-side encryption (target.s3.sse) or an encrypted volume.")
    private BackupTarget target;

    @Default("\"Retain\"")
    @JsonPropertyDescription("Retain keeps the stored files when the PostgresBackup is deleted; Delete removes them too.")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    @Min(1)
    @Max(10080)
    @JsonPropertyDescription("Minutes the agent may run before it gives up (also for restore drills of a schedule); its Job gets activeDeadlineSeconds of this plus 5 minutes. Default 360.")
    private Integer timeoutMinutes;

    @Min(0)
    @Max(10)
    @JsonPropertyDescription("New attempts (new Jobs) after a retryable failure, e.g. the server was down. Default 2.")
    private Integer retries;

    public enum BackupMethod { logical, physical }

    public enum DumpFormat { custom, directory }

    public BackupMethod getMethod() { return method; }
    public void setMethod(BackupMethod method) { this.method = method; }
    public List<String> getDatabases() { return databases; }
    public void setDatabases(List<String> databases) { this.databases = databases; }
    public DumpFormat getFormat() { return format; }
    public void setFormat(DumpFormat format) { this.format = format; }
    public Integer getJobs() { return jobs; }
    public void setJobs(Integer jobs) { this.jobs = jobs; }
    public String getCompression() { return compression; }
    public void setCompression(String compression) { this.compression = compression; }
    public BackupTarget getTarget() { return target; }
    public void setTarget(BackupTarget target) { this.target = target; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
    public Integer getTimeoutMinutes() { return timeoutMinutes; }
    public void setTimeoutMinutes(Integer timeoutMinutes) { this.timeoutMinutes = timeoutMinutes; }
    public Integer getRetries() { return retries; }
    public void setRetries(Integer retries) { this.retries = retries; }
}
