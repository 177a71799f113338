package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

import java.util.Objects;

/** The images one instance's pod runs (a PostgresCluster's status.instanceImages): what a roll has reached. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceImage {
    @Size(max = 253)
    @JsonPropertyDescription("Instance (pod) name.")
    private String name;
    @Size(max = 512)
    @JsonPropertyDescription("Image of its postgres container.")
    private String image;
    @Size(max = 512)
    @JsonPropertyDescription("Image of its agent sidecar (wal-archiver or wal-fetcher), when it has one.")
    private String agentImage;

    public InstanceImage() {}
    public InstanceImage(String name, String image, String agentImage) {
        this.name = name; this.image = image; this.agentImage = agentImage;
    }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public String getAgentImage() { return agentImage; }
    public void setAgentImage(String agentImage) { this.agentImage = agentImage; }

    @Override public boolean equals(Object o) {
        return o instanceof InstanceImage i && Objects.equals(name, i.name) && Objects.equals(image, i.image) && Objects.equals(agentImage, i.agentImage);
    }

    @Override public int hashCode() { return Objects.hash(name, image, agentImage); }
}
