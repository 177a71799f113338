package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresDatabaseSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster that holds the database.")
    private LocalReference clusterRef;

    @Pattern(Names.PG_IDENTIFIER)
    @ValidationRule(value = "self == oldSelf", message = "spec.name is immutable")
    @JsonPropertyDescription("Database name in PostgreSQL; defaults to metadata.name. Immutable.")
    private String name;

    @Pattern(Names.PG_IDENTIFIER)
    @JsonPropertyDescription("Role that owns the database.")
    private String owner;

    @Default("\"Retain\"")
    @JsonPropertyDescription("Retain (default) keeps the database when the resource is deleted; Delete drops it.")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getOwner() { return owner; }
    public void setOwner(String owner) { this.owner = owner; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
}
