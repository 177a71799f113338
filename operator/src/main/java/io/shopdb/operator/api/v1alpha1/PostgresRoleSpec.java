package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.passwordSecretRef) || self.login", message = "spec.passwordSecretRef needs login: true")
// the cluster's own credentials (cluster/ClusterSecrets) would become this role's password and land in its connection Secret
@ValidationRule(value = "!has(self.passwordSecretRef) || !(self.passwordSecretRef.name in ['-superuser', '-superuser-applied', "
        + "'-replication', '-pooler-auth', '-ca', '-server-tls'].map(s, self.clusterRef.name + s))",
        message = "spec.passwordSecretRef names one of the cluster's own Secrets (superuser, replication, pooler, CA, TLS)")
public class PostgresRoleSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster that holds the role.")
    private LocalReference clusterRef;

    @Pattern(Names.PG_IDENTIFIER)

    @Size(max = Names.IDENTIFIER_MAX)
    @ValidationRule(value = "!self.startsWith('pg_')",
            message = "spec.name may not start with pg_: PostgreSQL reserves such role names for its own roles")
    @ValidationRule(value = "!(self in ['postgres', 'replicator', 'shopdb_pooler']) && !self.startsWith('shopdb_mig_')",
            message = "spec.name names a role the operator owns (postgres, replicator, shopdb_pooler, shopdb_mig_*)")
    @ValidationRule(value = "self == oldSelf", message = "spec.name is immutable")
    @JsonPropertyDescription("Role name in PostgreSQL; defaults to metadata.name. Names starting with pg_ are reserved. Immutable.")
    private String name;

    @Default("true")
    @JsonPropertyDescription("Whether the role can log in (a user) or not (a group).")
    private Boolean login = true;

    @Default("true")
    @JsonPropertyDescription("Whether the role inherits the privileges of the roles it is a member of.")
    private Boolean inherit = true;

    @Min(-1)
    @io.fabric8.generator.annotation.Max(262143) // PostgreSQL's own bound of max_connections
    @Default("-1")
    @JsonPropertyDescription("Maximum concurrent connections; -1 is unlimited.")
    private Integer connectionLimit = -1;

    @Size(max = 64)
    @Pattern("^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})|infinity)$")
    @JsonPropertyDescription("Password expiry as an RFC 3339 timestamp (e.g. 2027-01-01T00:00:00Z); omitted or infinity: never.")
    private String validUntil;

    // the list is sql/RoleMemberships.FORBIDDEN; roles with SUPERUSER, REPLICATION etc. are found in the catalog by the operator
    @ValidationRule(value = "self.all(r, !(r in ['postgres', 'replicator', 'shopdb_pooler', 'pg_execute_server_program', "
            + "'pg_read_server_files', 'pg_write_server_files', 'pg_read_all_data', 'pg_write_all_data', 'pg_maintain', "
            + "'pg_signal_backend', 'pg_signal_autovacuum_worker', 'pg_checkpoint', 'pg_use_reserved_connections', "
            + "'pg_create_subscription']))",
            message = "spec.memberOf names a role a PostgresRole may not join (postgres, replicator, shopdb_pooler, "
            + "pg_execute_server_program, pg_read_server_files, pg_write_server_files, pg_read_all_data, pg_write_all_data, "
            + "pg_maintain, pg_signal_backend, pg_signal_autovacuum_worker, pg_checkpoint, pg_use_reserved_connections, "
            + "pg_create_subscription): the operator's own roles, and predefined roles that reach the server's files or "
            + "programs, bypass grants or act on the whole server")
    @JsonPropertyDescription("Roles (groups) this role is a member of. Memberships not listed are revoked. A role may not join, directly or through"
            + " other groups, a role with SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS, the operator's own roles (postgres, replicator,"
            + " shopdb_pooler), or predefined roles that reach the server's files or programs, bypass grants or act on the whole server.")
    @Size(max = Names.NAMES_MAX)
    private List<@Pattern(Names.PG_IDENTIFIER) @Size(max = Names.IDENTIFIER_MAX) String> memberOf = new ArrayList<>();

    @JsonPropertyDescription("Secret with the password (key 'password' unless passwordKey says otherwise). Omitted: the operator generates one into the Secret <name>-password. Changing the Secret's value rotates the password.")
    private SecretKeyReference passwordSecretRef;

    @Pattern("^[-._:a-zA-Z0-9]{0,63}$")
    @Size(max = 63)
    @JsonPropertyDescription("Any new value (e.g. a date) rotates a generated password once: a new one is generated, set, and written to the Secrets.")
    private String passwordRotation;

    @Pattern(Names.PG_IDENTIFIER)

    @Size(max = Names.IDENTIFIER_MAX)
    @JsonPropertyDescription("Database written in the connection Secret (default: the first database in grants).")
    private String connectionDatabase;

    @JsonPropertyDescription("Privileges, per database, kept exactly as declared: what is missing is granted, what the role holds beyond this in that database is revoked.")
    @Size(max = Names.NAMES_MAX)
    private List<GrantSpec> grants = new ArrayList<>();

    @Default("\"Retain\"")
    @JsonPropertyDescription("Retain (default) keeps the role when the resource is deleted; Delete drops it (refused while it owns objects).")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Boolean getLogin() { return login; }
    public void setLogin(Boolean login) { this.login = login; }
    public Boolean getInherit() { return inherit; }
    public void setInherit(Boolean inherit) { this.inherit = inherit; }
    public Integer getConnectionLimit() { return connectionLimit; }
    public void setConnectionLimit(Integer connectionLimit) { this.connectionLimit = connectionLimit; }
    public String getValidUntil() { return validUntil; }
    public void setValidUntil(String validUntil) { this.validUntil = validUntil; }
    public List<String> getMemberOf() { return memberOf; }
    public void setMemberOf(List<String> memberOf) { this.memberOf = memberOf; }
    public SecretKeyReference getPasswordSecretRef() { return passwordSecretRef; }
    public void setPasswordSecretRef(SecretKeyReference passwordSecretRef) { this.passwordSecretRef = passwordSecretRef; }
    public String getPasswordRotation() { return passwordRotation; }
    public void setPasswordRotation(String passwordRotation) { this.passwordRotation = passwordRotation; }
    public String getConnectionDatabase() { return connectionDatabase; }
    public void setConnectionDatabase(String connectionDatabase) { this.connectionDatabase = connectionDatabase; }
    public List<GrantSpec> getGrants() { return grants; }
    public void setGrants(List<GrantSpec> grants) { this.grants = grants; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
}
