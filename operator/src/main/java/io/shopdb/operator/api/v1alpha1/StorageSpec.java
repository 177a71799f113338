package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @Default("\"1Gi\"")
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @Size(max = 32)
    @ValidationRule(value = "!quantity(self).isLessThan(quantity(oldSelf))",
            message = "spec.storage.size may grow but not shrink; a volume cannot be made smaller")
    @JsonPropertyDescription("Size of each instance's volume, e.g. 10Gi. It may grow (where the storage class allows expansion), never shrink.")
    private String size = "1Gi";

    @Pattern(Names.DNS_SUBDOMAIN)
    @Size(max = Names.DNS_SUBDOMAIN_MAX)
    @ValidationRule(value = "self == oldSelf", message = "spec.storage.storageClass is immutable")
    @JsonPropertyDescription("StorageClass of the volumes; the cluster default when omitted. Immutable.")
    private String storageClass;

    @JsonPropertyDescription("Grow the volumes by themselves when the primary's data (databases and WAL) fills threshold percent of"
            + " them, by step, up to maximum; the StorageClass must allow expansion. The grown size is kept in status.storage.size"
            + " (spec.storage.size stays as written, so a GitOps tool sees no drift); a larger spec.storage.size still applies.")
    private AutoGrowSpec autoGrow;

    public AutoGrowSpec getAutoGrow() { return autoGrow; }
    public void setAutoGrow(AutoGrowSpec autoGrow) { this.autoGrow = autoGrow; }
    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public String getStorageClass() { return storageClass; }
    public void setStorageClass(String storageClass) { this.storageClass = storageClass; }
}
