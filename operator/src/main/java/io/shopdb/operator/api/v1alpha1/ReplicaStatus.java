package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicaStatus {
    @JsonPropertyDescription("Instance (pod) name, as the replica's application_name.")
    private String name;
    @JsonPropertyDescription("WAL sender state: streaming, catchup, startup or backup.")
    private String state;
    @JsonPropertyDescription("WAL the replica has not replayed yet, in whole MiB (rounded down, so an idle cluster's status does not change with every checkpoint; exact bytes are a metric).")
    private Long lagMiB;

    public ReplicaStatus() {}
    public ReplicaStatus(String name, String state, Long lagMiB) {
        this.name = name; this.state = state; this.lagMiB = lagMiB;
    }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public Long getLagMiB() { return lagMiB; }
    public void setLagMiB(Long lagMiB) { this.lagMiB = lagMiB; }

    @Override public boolean equals(Object o) {
        return o instanceof ReplicaStatus r && Objects.equals(name, r.name) && Objects.equals(state, r.state)
                && Objects.equals(lagMiB, r.lagMiB);
    }
    @Override public int hashCode() { return Objects.hash(name, state, lagMiB); }
}
