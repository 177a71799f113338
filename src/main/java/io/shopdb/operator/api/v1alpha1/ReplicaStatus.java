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
    @JsonPropertyDescription("Bytes of WAL the replica has not replayed yet.")
    private Long lagBytes;

    public ReplicaStatus() {}
    public ReplicaStatus(String name, String state, Long lagBytes) {
        this.name = name; this.state = state; this.lagBytes = lagBytes;
    }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public Long getLagBytes() { return lagBytes; }
    public void setLagBytes(Long lagBytes) { this.lagBytes = lagBytes; }

    @Override public boolean equals(Object o) {
        return o instanceof ReplicaStatus r && Objects.equals(name, r.name) && Objects.equals(state, r.state)
                && Objects.equals(lagBytes, r.lagBytes);
    }
    @Override public int hashCode() { return Objects.hash(name, state, lagBytes); }
}
