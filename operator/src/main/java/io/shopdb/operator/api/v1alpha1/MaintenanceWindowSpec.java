package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** When the operator may restart a cluster's instances for a change of its own (a PostgresCluster's spec.maintenanceWindow). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceWindowSpec {
    public enum Day { Mon, Tue, Wed, Thu, Fri, Sat, Sun }

    @Size(max = 7)
    @JsonPropertyDescription("Days the window opens on (UTC), e.g. [Sat, Sun]; default every day.")
    private List<Day> days = new ArrayList<>();

    @Required
    @Pattern("^([01][0-9]|2[0-3]):[0-5][0-9]$")
    @Size(max = 5)
    @JsonPropertyDescription("When the window opens, HH:MM in UTC, e.g. 02:00.")
    private String start;

    @Required
    @Pattern("^([3-9][0-9]m|[1-9][0-9]{2,3}m|[1-9][0-9]?h)$")
    @Size(max = 5)
    @JsonPropertyDescription("How long it stays open: 30m to 99h, e.g. 45m, 2h (at least 30m: the operator looks about once a minute).")
    private String duration;

    public List<Day> getDays() { return days; }
    public void setDays(List<Day> days) { this.days = days; }
    public String getStart() { return start; }
    public void setStart(String start) { this.start = start; }
    public String getDuration() { return duration; }
    public void setDuration(String duration) { this.duration = duration; }
}
