package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.external) == has(oldSelf.external)",
        message = "a cluster cannot switch between managed and external mode; create a new PostgresCluster")
@ValidationRule(value = "!has(self.external) || (!has(self.storage) && !has(self.parameters))",
        message = "storage and parameters apply to managed clusters only; an external cluster is configured where it runs")
@ValidationRule(value = "has(self.bootstrap) == has(oldSelf.bootstrap) && (!has(self.bootstrap) || self.bootstrap == oldSelf.bootstrap)",
        message = "spec.bootstrap is immutable: it only says how the cluster was created")
@ValidationRule(value = "!has(self.external) || !has(self.bootstrap)",
        message = "spec.bootstrap applies to managed clusters only")
@ValidationRule(value = "!has(self.synchronous) || self.synchronous.number < self.instances",
        message = "spec.synchronous.number must be less than spec.instances: a commit waits for that many replicas")
@ValidationRule(value = "!has(self.primary) || !has(self.external)", message = "spec.primary applies to managed clusters only")
@ValidationRule(value = "!has(self.walArchive) || !has(self.external)", message = "spec.walArchive applies to managed clusters only")
@ValidationRule(value = "!has(self.hibernate) || !self.hibernate || !has(self.external)", message = "spec.hibernate applies to managed clusters only")
@ValidationRule(value = "!has(self.standby) || !has(self.external)", message = "spec.standby applies to managed clusters only")
@ValidationRule(value = "!has(oldSelf.standby) || has(self.standby) || (has(oldSelf.standby.enabled) && !oldSelf.standby.enabled)",
        message = "spec.standby can be removed only once the cluster is promoted: set spec.standby.enabled to false first")
@ValidationRule(value = "!has(self.standby) || !has(oldSelf.standby) || self.standby.source.name == oldSelf.standby.source.name",
        message = "spec.standby.source cannot change: a standby follows one source (promote it, or make a new standby of the other cluster)")
public class PostgresClusterSpec {

    @Min(1)
    @Max(9)
    @Default("1")
    @JsonPropertyDescription("Number of managed instances (1..9): one primary, the others streaming replicas. Ordinal 0 starts as the primary; after a failover or switchover status.currentPrimary names it.")
    private Integer instances = 1;

    @Pattern("^(15|16|17|18)$")
    @Size(max = 2)
    @ValidationRule(value = "self == oldSelf", message = "spec.postgresVersion cannot change: a newer server cannot start on the older data directory; declare a"
            + " cluster at the new major and a PostgresMajorUpgrade from this one (it takes this cluster's Services at the cutover)")
    @Default("\"15\"")
    @JsonPropertyDescription("PostgreSQL major version of managed instances; picks the default image postgres:<version>. Fixed once the cluster exists: a major upgrade is a new cluster filled by a PostgresMajorUpgrade.")
    private String postgresVersion = "15";

    @Size(max = 1024)
    @JsonPropertyDescription("Container image of managed instances; overrides the one postgresVersion picks. It must hold initdb, postgres and pg_basebackup on PATH and run as uid 999.")
    private String image;

    @JsonPropertyDescription("A PostgresImageCatalog whose image for spec.postgresVersion the instances run (spec.image, when set, wins)."
            + " A new image in the catalog rolls the instances as a new spec.image does: replicas first, a switchover, the former primary.")
    private LocalReference imageCatalogRef;

    public LocalReference getImageCatalogRef() { return imageCatalogRef; }
    public void setImageCatalogRef(LocalReference imageCatalogRef) { this.imageCatalogRef = imageCatalogRef; }

    @JsonPropertyDescription("Persistent storage of each managed instance.")
    private StorageSpec storage;

    @SchemaFrom(type = ComputeResources.class)
    @JsonPropertyDescription("CPU and memory requests and limits of each managed instance.")
    private ResourceRequirements resources;

    // PostgreSQL's name grammar (guc-file.l): a name with a newline, a space, '=' or '#' would add a line to postgresql.conf
    @ValidationRule(value = "self.all(k, size(k) <= 63 && k.matches('^[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)?$'))",
            message = "spec.parameters names must be PostgreSQL parameter names: letters, digits and _, at most one dot, at most 63 "
            + "characters")
    // names compare as PostgreSQL compares them, case-insensitively; the lists are PostgresParameters.OWNED and REFUSED
    @ValidationRule(value = "self.all(k, !(k.lowerAscii() in ['archive_command', 'archive_mode', 'archive_timeout', 'cluster_name', "
            + "'config_file', 'data_directory', 'hba_file', 'hot_standby', 'listen_addresses', 'max_wal_senders', 'port', "
            + "'primary_conninfo', 'primary_slot_name', 'recovery_target', 'recovery_target_action', "
            + "'recovery_target_inclusive', 'recovery_target_lsn', 'recovery_target_name', 'recovery_target_time', "
            + "'recovery_target_timeline', 'recovery_target_xid', 'restore_command', 'shared_preload_libraries', 'ssl', "
            + "'ssl_ca_file', 'ssl_cert_file', 'ssl_key_file', 'ssl_min_protocol_version', 'synchronous_standby_names', "
            + "'unix_socket_directories', 'wal_level', 'wal_receiver_status_interval']))",
            message = "spec.parameters sets a parameter the operator owns (archive_command, archive_mode, archive_timeout, "
            + "cluster_name, config_file, data_directory, hba_file, hot_standby, listen_addresses, max_wal_senders, port, "
            + "primary_conninfo, primary_slot_name, recovery_target, recovery_target_action, recovery_target_inclusive, "
            + "recovery_target_lsn, recovery_target_name, recovery_target_time, recovery_target_timeline, "
            + "recovery_target_xid, restore_command, shared_preload_libraries, ssl, ssl_ca_file, ssl_cert_file, ssl_key_file, "
            + "ssl_min_protocol_version, synchronous_standby_names, unix_socket_directories, wal_level, "
            + "wal_receiver_status_interval); remove it")
    @ValidationRule(value = "self.all(k, !(k.lowerAscii() in ['allow_in_place_tablespaces', 'allow_system_table_mods', "
            + "'archive_cleanup_command', 'archive_library', 'dynamic_library_path', 'event_source', "
            + "'extension_control_path', 'extension_destdir', 'external_pid_file', 'ident_file', 'ignore_checksum_failure', "
            + "'ignore_invalid_pages', 'ignore_system_indexes', 'include', 'include_dir', 'include_if_exists', "
            + "'jit_provider', 'krb_server_keyfile', 'lo_compat_privileges', 'local_preload_libraries', 'log_destination', "
            + "'log_directory', 'log_file_mode', 'log_filename', 'logging_collector', 'oauth_validator_libraries', "
            + "'promote_trigger_file', 'recovery_end_command', 'session_preload_libraries', 'ssl_crl_dir', 'ssl_crl_file', "
            + "'ssl_dh_params_file', 'ssl_passphrase_command', 'stats_temp_directory', 'unix_socket_group', "
            + "'unix_socket_permissions', 'zero_damaged_pages']))",
            message = "spec.parameters sets a parameter that runs a command, names a file, loads a library, turns off a safety check "
            + "or moves the server log (allow_in_place_tablespaces, allow_system_table_mods, archive_cleanup_command, "
            + "archive_library, dynamic_library_path, event_source, extension_control_path, extension_destdir, "
            + "external_pid_file, ident_file, ignore_checksum_failure, ignore_invalid_pages, ignore_system_indexes, include, "
            + "include_dir, include_if_exists, jit_provider, krb_server_keyfile, lo_compat_privileges, "
            + "local_preload_libraries, log_destination, log_directory, log_file_mode, log_filename, logging_collector, "
            + "oauth_validator_libraries, promote_trigger_file, recovery_end_command, session_preload_libraries, ssl_crl_dir, "
            + "ssl_crl_file, ssl_dh_params_file, ssl_passphrase_command, stats_temp_directory, unix_socket_group, "
            + "unix_socket_permissions, zero_damaged_pages); remove it")
    @ValidationRule(value = "self.all(k, !k.contains('.') || k.lowerAscii().startsWith('pg_stat_statements.'))",
            message = "spec.parameters may set custom parameters (prefix.name) only for loaded extensions (pg_stat_statements)")
    @ValidationRule(value = "self.all(k, self.exists_one(j, j.lowerAscii() == k.lowerAscii()))",
            message = "spec.parameters names one parameter twice: PostgreSQL compares names case-insensitively")
    @ValidationRule(value = "self.all(k, !self[k].contains('\\n') && !self[k].contains('\\r'))",
            message = "spec.parameters values must be single lines")
    @JsonPropertyDescription("postgresql.conf parameters of managed instances, on top of the operator's e-commerce defaults. Parameters needing a restart roll the instances one at a time; the others are reloaded."
            + " Names are case-insensitive, as in PostgreSQL. Refused: parameters the operator sets, and those that run a command, name a file or load a library;"
            + " prefix.name options only for the extensions the operator loads (pg_stat_statements).")
    @Size(max = 256)
    private Map<String, @Size(max = Names.VALUE_MAX) String> parameters = new TreeMap<>();

    @Default("\"Retain\"")
    @JsonPropertyDescription("What deleting the cluster does to its volumes and credentials: Retain (default) keeps them, Delete removes them.")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    @JsonPropertyDescription("Adopt an existing server (RDS, Cloud SQL, a VM) instead of running instances. No pods are created.")
    private ExternalServerSpec external;

    @JsonPropertyDescription("How a new managed cluster is created; immutable. Without it ordinal 0 runs initdb.")
    private BootstrapSpec bootstrap;

    @JsonPropertyDescription("Continuous WAL archiving to a PVC or S3 (a wal-archiver sidecar per instance): the basis of point-in-time recovery (spec.bootstrap.fromBackup.recovery of a new cluster).")
    private WalArchiveSpec walArchive;

    public WalArchiveSpec getWalArchive() { return walArchive; }
    public void setWalArchive(WalArchiveSpec walArchive) { this.walArchive = walArchive; }

    @JsonPropertyDescription("TLS of a managed cluster (always on: clients connect with TLS only). Optionally the CA that signs the server certificate.")
    private TlsSpec tls;

    @JsonPropertyDescription("NetworkPolicy of a managed cluster: who may connect to port 5432.")
    private NetworkPolicySpec networkPolicy;

    public NetworkPolicySpec getNetworkPolicy() { return networkPolicy; }
    public void setNetworkPolicy(NetworkPolicySpec networkPolicy) { this.networkPolicy = networkPolicy; }
    public TlsSpec getTls() { return tls; }
    public void setTls(TlsSpec tls) { this.tls = tls; }

    @Min(0)
    @Max(3600)
    @Default("0")
    @JsonPropertyDescription("Seconds the primary may be not ready before the operator fails over to the most advanced replica (0, the default: at once). A longer delay rides out short restarts at the cost of a longer write outage.")
    private Integer failoverDelay = 0;

    @Size(max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("The instance (pod name, e.g. shop-db-1) that should be the primary. Setting it to a streaming replica performs a planned switchover without losing a committed transaction. Unset: the operator keeps whichever instance is primary.")
    private String primary;

    @JsonPropertyDescription("Synchronous replication: commits are acknowledged only once the given number of replicas flushed them, so a failover loses no acknowledged commit. Unset: asynchronous replication.")
    private SynchronousSpec synchronous;

    @JsonPropertyDescription("How instances spread over nodes; by default the scheduler prefers one instance per node.")
    private AffinitySpec affinity;

    @JsonPropertyDescription("true: stop every instance (the pods go) and keep the volumes, Secrets and configuration; the cluster reports phase Hibernated. false again: the same instances start on the same data, the former primary first.")
    private Boolean hibernate;

    @JsonPropertyDescription("When the operator may restart the instances for a change of its own: moving the wal-archiver sidecar and"
            + " init containers to a new operator's agent image. Outside it the pods keep the agent image they run (status.agentImage)"
            + " until a roll that happens anyway; without a window, only such a roll moves them. Rolls for a change of this spec"
            + " (image, parameters that need a restart, resources) do not wait.")
    private MaintenanceWindowSpec maintenanceWindow;

    @JsonPropertyDescription("A standby cluster: a read-only copy of another PostgresCluster (another region, a planned move), its"
            + " primary instance streaming from the source's primary and its other instances from it. Databases, roles and"
            + " migrations declared for it wait until it is promoted (spec.standby.enabled: false). Added to a running cluster, it"
            + " demotes that cluster: its primary restarts as a standby of the source, rewound rather than copied anew.")
    private StandbySpec standby;

    public StandbySpec getStandby() { return standby; }
    public void setStandby(StandbySpec standby) { this.standby = standby; }
    /** Whether the cluster should be a read-only standby of its source now (spec.standby, not promoted). Not a bean getter: "standby" is the field. */
    public boolean followsSource() { return standby != null && standby.isReplaying(); }

    public MaintenanceWindowSpec getMaintenanceWindow() { return maintenanceWindow; }
    public void setMaintenanceWindow(MaintenanceWindowSpec maintenanceWindow) { this.maintenanceWindow = maintenanceWindow; }
    public Boolean getHibernate() { return hibernate; }
    public void setHibernate(Boolean hibernate) { this.hibernate = hibernate; }
    /** Whether the instances should be stopped (spec.hibernate: true). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isHibernating() { return Boolean.TRUE.equals(hibernate); }

    public Integer getFailoverDelay() { return failoverDelay; }
    public void setFailoverDelay(Integer failoverDelay) { this.failoverDelay = failoverDelay; }
    public String getPrimary() { return primary; }
    public void setPrimary(String primary) { this.primary = primary; }
    public SynchronousSpec getSynchronous() { return synchronous; }
    public void setSynchronous(SynchronousSpec synchronous) { this.synchronous = synchronous; }
    public AffinitySpec getAffinity() { return affinity; }
    public void setAffinity(AffinitySpec affinity) { this.affinity = affinity; }
    public BootstrapSpec getBootstrap() { return bootstrap; }
    public void setBootstrap(BootstrapSpec bootstrap) { this.bootstrap = bootstrap; }
    public Integer getInstances() { return instances; }
    public void setInstances(Integer instances) { this.instances = instances; }
    public String getPostgresVersion() { return postgresVersion; }
    public void setPostgresVersion(String postgresVersion) { this.postgresVersion = postgresVersion; }
    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public StorageSpec getStorage() { return storage; }
    public void setStorage(StorageSpec storage) { this.storage = storage; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
    public Map<String, String> getParameters() { return parameters; }
    public void setParameters(Map<String, String> parameters) { this.parameters = parameters; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
    public ExternalServerSpec getExternal() { return external; }
    public void setExternal(ExternalServerSpec external) { this.external = external; }

    public boolean isExternal() { return external != null; }
}
