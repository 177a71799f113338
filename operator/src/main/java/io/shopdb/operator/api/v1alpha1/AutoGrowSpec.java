package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Volumes that grow by themselves (a PostgresCluster's spec.storage.autoGrow). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoGrowSpec {
    @Min(10)
    @Max(95)
    @Default("80")
    @JsonPropertyDescription("Percent of the volume used (the primary's databases and WAL) at which it grows (10..95, default 80).")
    private Integer threshold = 80;

    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @Size(max = 32)
    @Default("\"1Gi\"")
    @JsonPropertyDescription("How much each growth adds, e.g. 5Gi (default 1Gi).")
    private String step = "1Gi";

    @Required
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @Size(max = 32)
    @JsonPropertyDescription("The largest size it grows to; past it a Warning says the volume is filling up and a person decides.")
    private String maximum;

    public Integer getThreshold() { return threshold; }
    public void setThreshold(Integer threshold) { this.threshold = threshold; }
    public String getStep() { return step; }
    public void setStep(String step) { this.step = step; }
    public String getMaximum() { return maximum; }
    public void setMaximum(String maximum) { this.maximum = maximum; }
}
