package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a restore's spec is immutable; create a new PostgresRestore")
public class PostgresRestoreSpec {
    @Required
    @JsonPropertyDescription("The PostgresBackup to restore.")
    private LocalReference backupRef;

    @Required
    @JsonPropertyDescription("The PostgresCluster to restore into.")
    private LocalReference clusterRef;

    public LocalReference getBackupRef() { return backupRef; }
    public void setBackupRef(LocalReference backupRef) { this.backupRef = backupRef; }
    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
}
