package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One backup: the cluster plus what {@link BackupTemplate} says. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a backup's spec is immutable; create a new PostgresBackup")
public class PostgresBackupSpec extends BackupTemplate {
    @Required
    @JsonPropertyDescription("The PostgresCluster to back up.")
    private LocalReference clusterRef;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
}
