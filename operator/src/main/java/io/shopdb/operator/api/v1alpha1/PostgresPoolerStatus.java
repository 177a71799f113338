package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresPoolerStatus extends ShopdbStatus {
    @JsonPropertyDescription("Ready PgBouncer pods / desired, e.g. 2/2.")
    private String instances;
    @JsonPropertyDescription("The Service applications connect to (port 5432).")
    private String service;
    @JsonPropertyDescription("The image the PgBouncer pods run: pinned, so an operator upgrade changes it only when the pods roll for another reason (a configuration change).")
    private String image;

    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }

    @JsonPropertyDescription("Host the pooler's PgBouncer connects to: the cluster's -rw or -ro Service.")
    private String serverHost;
    @JsonPropertyDescription("Hash of the PgBouncer configuration the pods run; a change rolls the pods.")
    private String configHash;
    @JsonPropertyDescription("The primary the pooler last resumed on after a switchover (PAUSE, switch, RESUME).")
    private String lastResumedOn;

    public String getInstances() { return instances; }
    public void setInstances(String instances) { this.instances = instances; }
    public String getService() { return service; }
    public void setService(String service) { this.service = service; }
    public String getServerHost() { return serverHost; }
    public void setServerHost(String serverHost) { this.serverHost = serverHost; }
    public String getConfigHash() { return configHash; }
    public void setConfigHash(String configHash) { this.configHash = configHash; }
    public String getLastResumedOn() { return lastResumedOn; }
    public void setLastResumedOn(String lastResumedOn) { this.lastResumedOn = lastResumedOn; }
}
