package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a backup's spec is immutable; create a new PostgresBackup")
public class PostgresBackupSpec {
    @Required
    @JsonPropertyDescription("The PostgresCluster to back up.")
    private LocalReference clusterRef;

    @Default("\"logical\"")
    @JsonPropertyDescription("logical (pg_dump per database) or physical (pg_basebackup of the whole cluster).")
    private BackupMethod method = BackupMethod.logical;

    public enum BackupMethod { logical, physical }

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public BackupMethod getMethod() { return method; }
    public void setMethod(BackupMethod method) { this.method = method; }
}
