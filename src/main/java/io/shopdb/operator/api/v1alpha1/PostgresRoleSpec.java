package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresRoleSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster that holds the role.")
    private LocalReference clusterRef;

    @Pattern(Names.PG_IDENTIFIER)
    @ValidationRule(value = "self == oldSelf", message = "spec.name is immutable")
    @JsonPropertyDescription("Role name in PostgreSQL; defaults to metadata.name. Immutable.")
    private String name;

    @Default("true")
    @JsonPropertyDescription("Whether the role can log in.")
    private Boolean login = true;

    @Default("\"Retain\"")
    @JsonPropertyDescription("Retain (default) keeps the role when the resource is deleted; Delete drops it.")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Boolean getLogin() { return login; }
    public void setLogin(Boolean login) { this.login = login; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
}
