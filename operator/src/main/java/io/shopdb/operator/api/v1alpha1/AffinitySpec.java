package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** How the instances of a cluster spread over the nodes (pod anti-affinity on the cluster label). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AffinitySpec {
    public enum PodAntiAffinityType { preferred, required, none }

    @Default("\"preferred\"")
    @JsonPropertyDescription("preferred (default): the scheduler avoids two instances on one topology domain when it can; required: it never places two there (pods stay Pending when there are too few nodes); none: no rule.")
    private PodAntiAffinityType podAntiAffinityType = PodAntiAffinityType.preferred;

    @Default("\"kubernetes.io/hostname\"")
    @Size(max = 316)
    @Pattern("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
    @JsonPropertyDescription("Node label whose values are the domains to spread over: kubernetes.io/hostname (default, one instance per node) or topology.kubernetes.io/zone.")
    private String topologyKey = "kubernetes.io/hostname";

    public PodAntiAffinityType getPodAntiAffinityType() { return podAntiAffinityType; }
    public void setPodAntiAffinityType(PodAntiAffinityType podAntiAffinityType) { this.podAntiAffinityType = podAntiAffinityType; }
    public String getTopologyKey() { return topologyKey; }
    public void setTopologyKey(String topologyKey) { this.topologyKey = topologyKey; }
}
