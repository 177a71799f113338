package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresPoolerSpec {
    public enum Target { rw, ro }
    public enum PoolMode { transaction, session }

    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster (managed) the pooler serves. Immutable.")
    private LocalReference clusterRef;

    @Default("\"rw\"")
    @JsonPropertyDescription("rw: the primary (the cluster's -rw Service); ro: the replicas (the -ro Service).")
    private Target target = Target.rw;

    @Default("\"transaction\"")
    @JsonPropertyDescription("transaction (default): a server connection serves a client for one transaction, so many clients share few connections (no session state: SET, advisory locks, LISTEN across transactions); session: for the whole client connection.")
    private PoolMode poolMode = PoolMode.transaction;

    @Min(1)
    @Max(20)
    @Default("1")
    @JsonPropertyDescription("PgBouncer pods behind the Service.")
    private Integer instances = 1;

    @Min(1)
    @Max(10000)
    @Default("20")
    @JsonPropertyDescription("Server connections per database and user pair, per pod (PgBouncer default_pool_size). Keep instances × pairs × this under the server's max_connections.")
    private Integer defaultPoolSize = 20;

    @Min(1)
    @Max(100000)
    @Default("1000")
    @JsonPropertyDescription("Client connections one pod accepts (PgBouncer max_client_conn).")
    private Integer maxClientConnections = 1000;

    @Min(0)
    @Max(100000)
    @JsonPropertyDescription("Most server connections per database, per pod (PgBouncer max_db_connections); omitted: no limit.")
    private Integer maxDbConnections;

    @ValidationRule(value = "self.all(k, !(k in ['listen_addr', 'listen_port', 'unix_socket_dir', 'auth_type', 'auth_file', 'auth_user', 'auth_query', 'auth_hba_file', 'admin_users', 'stats_users', 'pool_mode', 'default_pool_size', 'max_client_conn', 'max_db_connections', 'logfile', 'pidfile', 'user']))",
            message = "spec.parameters sets a PgBouncer parameter the operator owns (listen_addr, listen_port, unix_socket_dir, auth_*, admin_users, stats_users, logfile, pidfile, user) or one with its own field (pool_mode: spec.poolMode, default_pool_size: spec.defaultPoolSize, max_client_conn: spec.maxClientConnections, max_db_connections: spec.maxDbConnections); remove it")
    @JsonPropertyDescription("More [pgbouncer] settings of PgBouncer 1.18 (e.g. server_lifetime, query_wait_timeout, reserve_pool_size), checked against the parameters and value types PgBouncer accepts; an unknown one or a bad value is Stalled, naming it.")
    @Size(max = 48)
    private Map<@Pattern("^[a-z_]{1,40}$") String, @Size(max = 256) @Pattern("^[^\\x00-\\x1f\\x7f]*$") String> parameters = new TreeMap<>();

    @JsonPropertyDescription("PostgresRoles (by resource name) whose connection Secret gets the pooler keys (pooler-host, pooler-port, pooler-uri, pooler-jdbc-uri); omitted or empty: every login role of the cluster.")
    @Size(max = Names.NAMES_MAX)
    private List<@Pattern(Names.DNS_SUBDOMAIN) @Size(max = Names.DNS_SUBDOMAIN_MAX) String> connectionSecretRoles = new ArrayList<>();

    @SchemaFrom(type = ComputeResources.class)
    @JsonPropertyDescription("CPU and memory requests and limits of each PgBouncer pod.")
    private ResourceRequirements resources;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public Target getTarget() { return target; }
    public void setTarget(Target target) { this.target = target; }
    public PoolMode getPoolMode() { return poolMode; }
    public void setPoolMode(PoolMode poolMode) { this.poolMode = poolMode; }
    public Integer getInstances() { return instances; }
    public void setInstances(Integer instances) { this.instances = instances; }
    public Integer getDefaultPoolSize() { return defaultPoolSize; }
    public void setDefaultPoolSize(Integer defaultPoolSize) { this.defaultPoolSize = defaultPoolSize; }
    public Integer getMaxClientConnections() { return maxClientConnections; }
    public void setMaxClientConnections(Integer maxClientConnections) { this.maxClientConnections = maxClientConnections; }
    public Integer getMaxDbConnections() { return maxDbConnections; }
    public void setMaxDbConnections(Integer maxDbConnections) { this.maxDbConnections = maxDbConnections; }
    public Map<String, String> getParameters() { return parameters; }
    public void setParameters(Map<String, String> parameters) { this.parameters = parameters; }
    public List<String> getConnectionSecretRoles() { return connectionSecretRoles; }
    public void setConnectionSecretRoles(List<String> connectionSecretRoles) { this.connectionSecretRoles = connectionSecretRoles; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
}
