package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresClusterStatus extends ShopdbStatus {
    @JsonPropertyDescription("Managed or External.")
    private String mode;
    @JsonPropertyDescription("Server version the primary reports, e.g. 15.18.")
    private String serverVersion;
    @JsonPropertyDescription("Whether the operator reached the primary over SQL on its last reconcile.")
    private Boolean primaryReachable;
    @JsonPropertyDescription("Managed instances whose readiness probe passes.")
    private Integer readyInstances;
    @JsonPropertyDescription("Ready and desired managed instances, e.g. 2/3 (for kubectl get).")
    private String instances;
    @JsonPropertyDescription("Where the primary runs: its pod (managed) or the server's host (external).")
    private String primary;
    @JsonPropertyDescription("Streaming replicas as the primary sees them (pg_stat_replication).")
    private List<ReplicaStatus> replicas = new ArrayList<>();
    @JsonPropertyDescription("Service that reaches the primary (read/write).")
    private String writeService;
    @JsonPropertyDescription("Service that reaches the replicas (read only).")
    private String readService;
    @JsonPropertyDescription("Secret holding the superuser credentials of a managed cluster.")
    private String superuserSecret;
    @JsonPropertyDescription("Hash of the configuration last reloaded on the instances.")
    private String configurationHash;
    @JsonPropertyDescription("Parameters that changed and wait for a restart of the instances.")
    private List<String> pendingRestart = new ArrayList<>();
    @JsonPropertyDescription("The server certificate of a managed cluster: Secrets, serial, expiry and renewal time.")
    private TlsStatus tls;

    public TlsStatus getTls() { return tls; }
    public void setTls(TlsStatus tls) { this.tls = tls; }

    @JsonPropertyDescription("The instance (pod) that runs as primary and that the -rw Service selects.")
    private String currentPrimary;

    @JsonPropertyDescription("The agent image the instances' agent containers run (wal-archiver, restore): pinned, so an operator upgrade changes it only when the instances roll for another reason.")
    private String agentImage;

    @io.fabric8.generator.annotation.Size(max = 512)
    @JsonPropertyDescription("The operator's agent image when the instances run another one: it is taken at the next roll, or in the maintenance window.")
    private String agentImagePending;

    @JsonPropertyDescription("The data volumes: the size asked for, those still growing, and why they cannot grow when they cannot.")
    private StorageStatus storage;
    @io.fabric8.generator.annotation.Size(max = 9)
    @JsonPropertyDescription("The images each instance's pod runs, by instance: during an image change, which instances the roll has reached.")
    private List<InstanceImage> instanceImages = new ArrayList<>();
    @JsonPropertyDescription("A standby cluster's replication from its source (spec.standby); kept after a promotion, with promotedAt.")
    private StandbyStatus standby;
    @JsonPropertyDescription("The cluster a PostgresMajorUpgrade moved this one to: its -rw and -ro Services lead there, and what names this"
            + " cluster (databases, roles, migrations, poolers) acts there. This cluster's own instances stay read-only.")
    private String upgradedTo;

    @JsonPropertyDescription("The cluster a PostgresMajorUpgrade copies this one to, by logical replication (wal_level logical here).")
    private String upgradingTo;
    @JsonPropertyDescription("The cluster a PostgresMajorUpgrade copies into this one; its Services' names are in this cluster's certificate.")
    private String upgradingFrom;

    @JsonPropertyDescription("The image spec.imageCatalogRef gives for spec.postgresVersion, as last read: the instances run it.")
    private String catalogImage;

    public String getCatalogImage() { return catalogImage; }
    public void setCatalogImage(String catalogImage) { this.catalogImage = catalogImage; }
    public String getUpgradingTo() { return upgradingTo; }
    public void setUpgradingTo(String upgradingTo) { this.upgradingTo = upgradingTo; }
    public String getUpgradingFrom() { return upgradingFrom; }
    public void setUpgradingFrom(String upgradingFrom) { this.upgradingFrom = upgradingFrom; }
    public String getUpgradedTo() { return upgradedTo; }
    public void setUpgradedTo(String upgradedTo) { this.upgradedTo = upgradedTo; }
    public List<InstanceImage> getInstanceImages() { return instanceImages; }
    public void setInstanceImages(List<InstanceImage> instanceImages) { this.instanceImages = instanceImages; }
    public StandbyStatus getStandby() { return standby; }
    public void setStandby(StandbyStatus standby) { this.standby = standby; }

    public StorageStatus getStorage() { return storage; }
    public void setStorage(StorageStatus storage) { this.storage = storage; }
    public String getAgentImagePending() { return agentImagePending; }
    public void setAgentImagePending(String agentImagePending) { this.agentImagePending = agentImagePending; }
    public String getAgentImage() { return agentImage; }
    public void setAgentImage(String agentImage) { this.agentImage = agentImage; }
    @JsonPropertyDescription("The instance the operator declared primary; differs from currentPrimary while a failover or switchover is under way.")
    private String targetPrimary;
    @JsonPropertyDescription("Failovers (unplanned promotions) the operator performed on this cluster.")
    private Integer failovers;
    @JsonPropertyDescription("When the last failover or switchover finished (RFC 3339).")
    private String lastPrimaryChange;
    @JsonPropertyDescription("WAL archiving (spec.walArchive): last archived file, failures, lag, and the recoverable window of backups plus archive.")
    private WalArchiveStatus walArchive;

    public WalArchiveStatus getWalArchive() { return walArchive; }
    public void setWalArchive(WalArchiveStatus walArchive) { this.walArchive = walArchive; }

    public String getCurrentPrimary() { return currentPrimary; }
    public void setCurrentPrimary(String currentPrimary) { this.currentPrimary = currentPrimary; }
    public String getTargetPrimary() { return targetPrimary; }
    public void setTargetPrimary(String targetPrimary) { this.targetPrimary = targetPrimary; }
    public Integer getFailovers() { return failovers; }
    public void setFailovers(Integer failovers) { this.failovers = failovers; }
    public String getLastPrimaryChange() { return lastPrimaryChange; }
    public void setLastPrimaryChange(String lastPrimaryChange) { this.lastPrimaryChange = lastPrimaryChange; }
    public String getMode() { return mode; }
    public void setMode(String mode) { this.mode = mode; }
    public String getServerVersion() { return serverVersion; }
    public void setServerVersion(String serverVersion) { this.serverVersion = serverVersion; }
    public Boolean getPrimaryReachable() { return primaryReachable; }
    public void setPrimaryReachable(Boolean primaryReachable) { this.primaryReachable = primaryReachable; }
    public Integer getReadyInstances() { return readyInstances; }
    public void setReadyInstances(Integer readyInstances) { this.readyInstances = readyInstances; }
    public String getInstances() { return instances; }
    public void setInstances(String instances) { this.instances = instances; }
    public String getPrimary() { return primary; }
    public void setPrimary(String primary) { this.primary = primary; }
    public List<ReplicaStatus> getReplicas() { return replicas; }
    public void setReplicas(List<ReplicaStatus> replicas) { this.replicas = replicas; }
    public String getWriteService() { return writeService; }
    public void setWriteService(String writeService) { this.writeService = writeService; }
    public String getReadService() { return readService; }
    public void setReadService(String readService) { this.readService = readService; }
    public String getSuperuserSecret() { return superuserSecret; }
    public void setSuperuserSecret(String superuserSecret) { this.superuserSecret = superuserSecret; }
    public String getConfigurationHash() { return configurationHash; }
    public void setConfigurationHash(String configurationHash) { this.configurationHash = configurationHash; }
    public List<String> getPendingRestart() { return pendingRestart; }
    public void setPendingRestart(List<String> pendingRestart) { this.pendingRestart = pendingRestart; }
}
