package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresMigrationStatus extends ShopdbStatus {
    @JsonPropertyDescription("Schema version per Flyway's history table.")
    private String currentVersion;
    @JsonPropertyDescription("Applied migrations (the latest 50), as the history table records them.")
    private List<AppliedMigration> applied = new ArrayList<>();
    @JsonPropertyDescription("Number of applied migrations in the history table.")
    private Integer appliedCount;
    @JsonPropertyDescription("Scripts not applied yet.")
    private Integer pendingCount;
    @JsonPropertyDescription("Hash of the scripts and settings last migrated successfully; a new hash triggers a migrate.")
    private String scriptsHash;
    @JsonPropertyDescription("Hash of the scripts and settings whose migrate failed; unchanged inputs are not retried.")
    private String failedHash;
    @JsonPropertyDescription("The PostgresBackup taken before the last migrate (spec.backupBefore).")
    private String preMigrationBackup;
    @JsonPropertyDescription("The last failure: script, PostgreSQL error, line and statement.")
    private MigrationFailure failure;
    @JsonPropertyDescription("The last check of the scripts against the database's query budgets on a copy (spec.checkBudgets: OnCopy).")
    private BudgetCheck budgetCheck;

    /** What spec.checkBudgets: OnCopy found for one set of scripts and budgets. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class BudgetCheck {
        @io.fabric8.generator.annotation.Size(max = 128)
        @JsonPropertyDescription("The scripts' hash and the budgets' hashes it was made for: the same inputs are not checked twice.")
        private String inputs;
        @JsonPropertyDescription("True when every budget was met on the migrated copy.")
        private Boolean passed;
        @io.fabric8.generator.annotation.Size(max = 63)
        @JsonPropertyDescription("The PostgresRestore that made the copy.")
        private String restore;
        @io.fabric8.generator.annotation.Size(max = 64)
        @JsonPropertyDescription("When the check ended (RFC 3339).")
        private String checkedAt;
        @io.fabric8.generator.annotation.Size(max = 20)
        @JsonPropertyDescription("Per budget: name, verdict, time against budget, plan hash and shape.")
        private List<@io.fabric8.generator.annotation.Size(max = 1024) String> results = new ArrayList<>();

        public String getInputs() { return inputs; }
        public void setInputs(String inputs) { this.inputs = inputs; }
        public Boolean getPassed() { return passed; }
        public void setPassed(Boolean passed) { this.passed = passed; }
        public String getRestore() { return restore; }
        public void setRestore(String restore) { this.restore = restore; }
        public String getCheckedAt() { return checkedAt; }
        public void setCheckedAt(String checkedAt) { this.checkedAt = checkedAt; }
        public List<String> getResults() { return results; }
        public void setResults(List<String> results) { this.results = results; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AppliedMigration {
        private String version;
        private String description;
        private String type;
        private String script;
        private Integer checksum;
        private String installedOn;
        private Integer executionTimeMillis;
        private String state;

        public String getVersion() { return version; }
        public void setVersion(String version) { this.version = version; }
        public String getDescription() { return description; }
        public void setDescription(String description) { this.description = description; }
        public String getType() { return type; }
        public void setType(String type) { this.type = type; }
        public String getScript() { return script; }
        public void setScript(String script) { this.script = script; }
        public Integer getChecksum() { return checksum; }
        public void setChecksum(Integer checksum) { this.checksum = checksum; }
        public String getInstalledOn() { return installedOn; }
        public void setInstalledOn(String installedOn) { this.installedOn = installedOn; }
        public Integer getExecutionTimeMillis() { return executionTimeMillis; }
        public void setExecutionTimeMillis(Integer executionTimeMillis) { this.executionTimeMillis = executionTimeMillis; }
        public String getState() { return state; }
        public void setState(String state) { this.state = state; }
    }

    /** checksum: true when an applied script was changed (a checksum mismatch). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class MigrationFailure {
        private String script;
        private String message;
        private Integer line;
        private String statement;
        private String sqlState;
        private Boolean checksum;
        @JsonPropertyDescription("False when Flyway ran the script outside a transaction (a statement such as CREATE INDEX CONCURRENTLY "
                + "cannot run in one): what it did before failing was not rolled back")
        private Boolean inTransaction;

        public Boolean getInTransaction() { return inTransaction; }
        public void setInTransaction(Boolean inTransaction) { this.inTransaction = inTransaction; }
        public Boolean getChecksum() { return checksum; }
        public void setChecksum(Boolean checksum) { this.checksum = checksum; }
        public String getScript() { return script; }
        public void setScript(String script) { this.script = script; }
        public String getMessage() { return message; }
        public void setMessage(String message) { this.message = message; }
        public Integer getLine() { return line; }
        public void setLine(Integer line) { this.line = line; }
        public String getStatement() { return statement; }
        public void setStatement(String statement) { this.statement = statement; }
        public String getSqlState() { return sqlState; }
        public void setSqlState(String sqlState) { this.sqlState = sqlState; }
    }

    public String getPreMigrationBackup() { return preMigrationBackup; }
    public void setPreMigrationBackup(String preMigrationBackup) { this.preMigrationBackup = preMigrationBackup; }
    public BudgetCheck getBudgetCheck() { return budgetCheck; }
    public void setBudgetCheck(BudgetCheck budgetCheck) { this.budgetCheck = budgetCheck; }
    public String getCurrentVersion() { return currentVersion; }
    public void setCurrentVersion(String currentVersion) { this.currentVersion = currentVersion; }
    public List<AppliedMigration> getApplied() { return applied; }
    public void setApplied(List<AppliedMigration> applied) { this.applied = applied; }
    public Integer getAppliedCount() { return appliedCount; }
    public void setAppliedCount(Integer appliedCount) { this.appliedCount = appliedCount; }
    public Integer getPendingCount() { return pendingCount; }
    public void setPendingCount(Integer pendingCount) { this.pendingCount = pendingCount; }
    public String getScriptsHash() { return scriptsHash; }
    public void setScriptsHash(String scriptsHash) { this.scriptsHash = scriptsHash; }
    public String getFailedHash() { return failedHash; }
    public void setFailedHash(String failedHash) { this.failedHash = failedHash; }
    public MigrationFailure getFailure() { return failure; }
    public void setFailure(MigrationFailure failure) { this.failure = failure; }
}
