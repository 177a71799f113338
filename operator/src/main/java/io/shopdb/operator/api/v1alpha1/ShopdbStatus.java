package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/**
 * The status contract every kind shares (see DESIGN.md): kstatus and Argo CD read
 * {@code observedGeneration} and the {@code Ready}/{@code Reconciling}/{@code Stalled} conditions;
 * {@code phase} is for printer columns and people.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShopdbStatus {
    @JsonPropertyDescription("The metadata.generation whose reconcile finished; lags while work is in progress.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready, Reconciling and Stalled, each with reason, message and lastTransitionTime.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("A one-word summary: Pending, Reconciling, Ready or Stalled.")
    private String phase;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public String getPhase() { return phase; }
    public void setPhase(String phase) { this.phase = phase; }
}
