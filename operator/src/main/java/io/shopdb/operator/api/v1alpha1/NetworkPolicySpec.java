package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

import java.util.Map;

/** Who may reach port 5432 of a managed cluster's instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
    @JsonPropertyDescription("Create a NetworkPolicy so that only the operator, the cluster's own instances and backup agents, and pods in client namespaces reach port 5432. Omitted: the operator's default (Helm value networkPolicy.enabled).")
    private Boolean enabled;

    @Size(max = 16)
    @JsonPropertyDescription("Labels a namespace must carry for its pods to connect (default shopdb.io/postgres-client: \"true\"). Label the application namespaces, including the cluster's own if apps run there.")
    private Map<String, @Size(max = 63) String> clientNamespaceLabels; // a label value is at most 63 characters

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public Map<String, String> getClientNamespaceLabels() { return clientNamespaceLabels; }
    public void setClientNamespaceLabels(Map<String, String> clientNamespaceLabels) { this.clientNamespaceLabels = clientNamespaceLabels; }
}
