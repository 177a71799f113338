package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Quorum-based synchronous replication: a commit returns once {@code number} replicas have flushed it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SynchronousSpec {
    @Min(1)
    @Max(8)
    @Default("1")
    @JsonPropertyDescription("How many replicas must have flushed a commit before it is acknowledged (synchronous_standby_names = 'ANY number (all instances)'). At most instances - 1. Commits wait while fewer replicas stream.")
    private Integer number = 1;

    public Integer getNumber() { return number; }
    public void setNumber(Integer number) { this.number = number; }
}
