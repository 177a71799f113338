package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Continuous WAL archiving of a managed cluster: the basis of point-in-time recovery. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WalArchiveSpec {
    @Required
    @JsonPropertyDescription("Where WAL goes: a PVC or an S3-compatible bucket, as for backups. Files go to <target>/wal/<namespace>/<cluster name>/<cluster uid>/ (status.walArchive.prefix), one object per WAL file named with its SHA-256: a cluster re-created under its name, or one of the same name in another namespace, archives to a folder of its own.")
    private BackupTarget target;

    @Min(1)
    @Max(3600)
    @Default("60")
    @JsonPropertyDescription("archive_timeout in seconds: a quiet server switches to a new WAL file at least this often, so the newest recoverable point is at most this old (default 60).")
    private Integer archiveTimeout = 60;

    @Pattern("^(none|gzip(:[1-9])?)$")
    @Size(max = 6)
    @Default("\"gzip\"")
    @JsonPropertyDescription("Compression of archived WAL files: none, gzip (level 1) or gzip:1..9.")
    private String compression = "gzip";

    public BackupTarget getTarget() { return target; }
    public void setTarget(BackupTarget target) { this.target = target; }
    public Integer getArchiveTimeout() { return archiveTimeout; }
    public void setArchiveTimeout(Integer archiveTimeout) { this.archiveTimeout = archiveTimeout; }
    public String getCompression() { return compression; }
    public void setCompression(String compression) { this.compression = compression; }
}
