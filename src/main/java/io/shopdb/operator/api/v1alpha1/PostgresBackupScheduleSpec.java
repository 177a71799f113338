package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresBackupScheduleSpec {
    @Required
    @JsonPropertyDescription("The PostgresCluster to back up.")
    private LocalReference clusterRef;

    @Required
    @JsonPropertyDescription("Cron expression (five fields) of the backup times.")
    private String schedule;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getSchedule() { return schedule; }
    public void setSchedule(String schedule) { this.schedule = schedule; }
}
