package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** The last check of one query budget (an item of PostgresDatabase status.queryBudgets). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QueryBudgetStatus {
    /** Within: ran in time. Exceeded: slower than maxDuration, or cancelled at the timeout. Failed: could not run (message). */
    public enum Verdict { Within, Exceeded, Failed }

    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("The budget's name.")
    private String name;
    @JsonPropertyDescription("Within, Exceeded (slower than maxDuration, or cancelled at the timeout) or Failed (could not run: message).")
    private Verdict verdict;
    @JsonPropertyDescription("Planning plus execution time of the last check, in milliseconds (the timeout when it was cancelled).")
    private Long durationMillis;
    @JsonPropertyDescription("maxDuration in milliseconds.")
    private Long budgetMillis;
    @Size(max = 16)
    @JsonPropertyDescription("Hash of the plan's shape: changes when the plan's node types or joins change, not with the number of partitions scanned.")
    private String planHash;
    @Size(max = 2048)
    @JsonPropertyDescription("The plan's shape, e.g. Sort(Aggregate(Hash Join(Seq Scan, Hash(Index Scan)))): node types, partitions of one Append folded.")
    private String planShape;
    @Size(max = 256)
    @JsonPropertyDescription("The node whose row estimate was furthest from what it found, as 'node: estimated N, actual M rows'.")
    private String worstEstimate;
    @JsonPropertyDescription("How often the plan's shape changed between checks since the budget was declared.")
    private Integer planChanges;
    @JsonPropertyDescription("Checks in a row that could not run (Failed); a Warning Event is sent at the second.")
    private Integer failedChecks;
    @Size(max = 64)
    @JsonPropertyDescription("When the last check ran (RFC 3339).")
    private String checkedAt;
    @Size(max = 32)
    @JsonPropertyDescription("Where it ran: Replica or Primary.")
    private String ranOn;
    @Size(max = 1024)
    @JsonPropertyDescription("The migrations applied to the database when it ran (name@version, ...): a new version triggers a check.")
    private String afterMigrations;
    @Size(max = 64)
    @JsonPropertyDescription("Hash of the budget's declaration when it ran: a changed declaration triggers a check.")
    private String specHash;
    @Size(max = 1024)
    @JsonPropertyDescription("What the check found, or why it could not run (SQLSTATE and class, never row data).")
    private String message;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Verdict getVerdict() { return verdict; }
    public void setVerdict(Verdict verdict) { this.verdict = verdict; }
    public Long getDurationMillis() { return durationMillis; }
    public void setDurationMillis(Long durationMillis) { this.durationMillis = durationMillis; }
    public Long getBudgetMillis() { return budgetMillis; }
    public void setBudgetMillis(Long budgetMillis) { this.budgetMillis = budgetMillis; }
    public String getPlanHash() { return planHash; }
    public void setPlanHash(String planHash) { this.planHash = planHash; }
    public String getPlanShape() { return planShape; }
    public void setPlanShape(String planShape) { this.planShape = planShape; }
    public String getWorstEstimate() { return worstEstimate; }
    public void setWorstEstimate(String worstEstimate) { this.worstEstimate = worstEstimate; }
    public Integer getPlanChanges() { return planChanges; }
    public void setPlanChanges(Integer planChanges) { this.planChanges = planChanges; }
    public Integer getFailedChecks() { return failedChecks; }
    public void setFailedChecks(Integer failedChecks) { this.failedChecks = failedChecks; }
    public String getCheckedAt() { return checkedAt; }
    public void setCheckedAt(String checkedAt) { this.checkedAt = checkedAt; }
    public String getRanOn() { return ranOn; }
    public void setRanOn(String ranOn) { this.ranOn = ranOn; }
    public String getAfterMigrations() { return afterMigrations; }
    public void setAfterMigrations(String afterMigrations) { this.afterMigrations = afterMigrations; }
    public String getSpecHash() { return specHash; }
    public void setSpecHash(String specHash) { this.specHash = specHash; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
}
