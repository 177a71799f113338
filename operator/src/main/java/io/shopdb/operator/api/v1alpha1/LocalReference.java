package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference by name to another object in the same namespace. */
public class LocalReference {
    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("Name of the referenced object, in the same namespace.")
    private String name;

    public LocalReference() {}
    public LocalReference(String name) { this.name = name; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
}
