package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/**
 * The CRD schema of {@code spec.resources} (the Java field stays Kubernetes' ResourceRequirements): requests
 * and limits with bounded maps, and without ResourceRequirements' {@code claims} (dynamic resource allocation,
 * which a PostgreSQL pod does not use), whose unbounded list the API server would otherwise have to cost.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ComputeResources {
    @Size(max = 8)
    @JsonPropertyDescription("Most resources (cpu, memory, ephemeral-storage, hugepages-<size>) the container may use.")
    public Map<String, Quantity> limits;

    @Size(max = 8)
    @JsonPropertyDescription("Resources (cpu, memory, ...) reserved for the container; the scheduler places the pod by them.")
    public Map<String, Quantity> requests;

    private ComputeResources() {}
}
