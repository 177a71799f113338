package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** The instances' data volumes as the last reconcile found them (a PostgresCluster's status.storage). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageStatus {
    @Size(max = 32)
    @JsonPropertyDescription("The size the volumes are asked for: spec.storage.size, or larger once spec.storage.autoGrow grew them.")
    private String size;
    @JsonPropertyDescription("Bytes the primary's databases and WAL take, at the last look (spec.storage.autoGrow).")
    private Long usedBytes;
    @Size(max = 64)
    @JsonPropertyDescription("Volumes (PersistentVolumeClaims) still growing: their capacity is below their request, or a resize is in progress.")
    private List<@Size(max = 253) String> resizing = new ArrayList<>();
    @Size(max = 1024)
    @JsonPropertyDescription("Why the volumes cannot grow to size, e.g. a StorageClass that does not allow volume expansion; absent when they can.")
    private String problem;

    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public List<String> getResizing() { return resizing; }
    public void setResizing(List<String> resizing) { this.resizing = resizing; }
    public String getProblem() { return problem; }
    public Long getUsedBytes() { return usedBytes; }
    public void setUsedBytes(Long usedBytes) { this.usedBytes = usedBytes; }
    public void setProblem(String problem) { this.problem = problem; }
}
