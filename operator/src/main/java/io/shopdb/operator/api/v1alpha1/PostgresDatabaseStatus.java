package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresDatabaseStatus extends ShopdbStatus {
    @JsonPropertyDescription("The database name in PostgreSQL.")
    private String databaseName;
    @JsonPropertyDescription("True once this PostgresDatabase created the database (CREATE DATABASE); only such a database is dropped under reclaimPolicy Delete. Absent: the database existed already and was adopted, so it is kept.")
    private Boolean createdByOperator;
    @JsonPropertyDescription("The owner the server reports.")
    private String owner;
    @JsonPropertyDescription("Size in bytes (pg_database_size), rounded down to whole MiB, refreshed on each re-check.")
    private Long sizeBytes;
    @JsonPropertyDescription("Schemas the resource manages, as they are.")
    private List<String> schemas = new ArrayList<>();
    @JsonPropertyDescription("Installed extensions as name@version (schema).")
    private List<String> extensions = new ArrayList<>();
    @Size(max = 20)
    @JsonPropertyDescription("Each table of spec.partitions: partitions ahead and behind, rows in the default partition.")
    private List<PartitionStatus> partitions;
    @JsonProperty("import")
    @JsonPropertyDescription("The import of spec.import: phase, attempts, the integrity report (tables checked, mismatches) and the source's roles not carried over.")
    private ImportStatus importStatus;
    @Size(max = 20)
    @JsonPropertyDescription("The last check of each query budget of spec.queryBudgets: verdict, time, plan shape and hash, worst row estimate.")
    private List<QueryBudgetStatus> queryBudgets;
    @JsonPropertyDescription("SQL steps of the last reconcile that changed something.")
    private List<String> lastAppliedPlan = new ArrayList<>();

    public String getDatabaseName() { return databaseName; }
    public void setDatabaseName(String databaseName) { this.databaseName = databaseName; }
    public Boolean getCreatedByOperator() { return createdByOperator; }
    public void setCreatedByOperator(Boolean createdByOperator) { this.createdByOperator = createdByOperator; }
    public String getOwner() { return owner; }
    public void setOwner(String owner) { this.owner = owner; }
    public Long getSizeBytes() { return sizeBytes; }
    public void setSizeBytes(Long sizeBytes) { this.sizeBytes = sizeBytes; }
    public List<String> getSchemas() { return schemas; }
    public void setSchemas(List<String> schemas) { this.schemas = schemas; }
    public List<String> getExtensions() { return extensions; }
    public void setExtensions(List<String> extensions) { this.extensions = extensions; }
    public List<PartitionStatus> getPartitions() { return partitions; }
    public void setPartitions(List<PartitionStatus> partitions) { this.partitions = partitions; }
    @JsonProperty("import")
    public ImportStatus getImportStatus() { return importStatus; }
    @JsonProperty("import")
    public void setImportStatus(ImportStatus importStatus) { this.importStatus = importStatus; }
    public List<QueryBudgetStatus> getQueryBudgets() { return queryBudgets; }
    public void setQueryBudgets(List<QueryBudgetStatus> queryBudgets) { this.queryBudgets = queryBudgets; }
    public List<String> getLastAppliedPlan() { return lastAppliedPlan; }
    public void setLastAppliedPlan(List<String> lastAppliedPlan) { this.lastAppliedPlan = lastAppliedPlan; }
}
