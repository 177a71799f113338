package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.checkBudgets) || self.checkBudgets == 'Never' || has(self.backupBefore)",
        message = "spec.checkBudgets: OnCopy restores the copy from the backup taken before migrating: set spec.backupBefore")
public class PostgresMigrationSpec {
    public enum CheckBudgets { Never, OnCopy }

    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.databaseRef is immutable")
    @JsonPropertyDescription("The PostgresDatabase to migrate; the migration waits until it is Ready.")
    private LocalReference databaseRef;

    @Size(min = 1, max = 16)
    @JsonPropertyDescription("Schemas Flyway manages; the first holds the history table (flyway_schema_history) and is the default schema. Flyway creates missing ones. Default: [public].")
    private List<@Pattern(Names.PG_IDENTIFIER) @Size(max = Names.IDENTIFIER_MAX) String> schemas = new ArrayList<>(List.of("public"));

    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    // the superuser and the operator's roles by name here; a role that is or reaches SUPERUSER, CREATEROLE, REPLICATION
    // or BYPASSRLS is found in the catalog by the operator (sql/OwnerSession) and the migration is Stalled
    @ValidationRule(value = "!(self in ['postgres', 'replicator', 'shopdb_pooler']) && !self.startsWith('pg_') && !self.startsWith('shopdb_mig_')",
            message = "spec.runAs may not name the superuser or the operator's roles (postgres, replicator, shopdb_pooler), a predefined"
            + " pg_ role or a migration's throwaway role (shopdb_mig_...): a migration runs as an application owner")
    @JsonPropertyDescription("Role the scripts run as, so it owns what they create. Default: the database owner. The operator logs in as a"
            + " throwaway member of it (never as a superuser that switched role), so a script's RESET ROLE gains nothing. A role that is,"
            + " or through its groups reaches, SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS is refused (Stalled, InvalidSpec).")
    private String runAs;

    @Required
    @Size(min = 1, max = 32)
    @JsonPropertyDescription("ConfigMaps holding V<version>__<description>.sql and R__<description>.sql scripts. All are read; Flyway orders versioned scripts by version and runs repeatable ones last, by name. A script name must be unique across sources.")
    private List<MigrationSource> sources = new ArrayList<>();

    @JsonPropertyDescription("Flyway placeholders: ${name} in scripts is replaced by the value.")
    @Size(max = 64)
    private Map<String, @Size(max = Names.VALUE_MAX) String> placeholders = new TreeMap<>();

    @Pattern("^[0-9]+([._][0-9]+)*$")
    @Size(max = 64)
    @JsonPropertyDescription("Version that marks an existing database's current state (adopting a database that was not made by Flyway).")
    private String baselineVersion;

    @Default("false")
    @JsonPropertyDescription("Baseline a non-empty schema without history at baselineVersion, then migrate what is newer.")
    private Boolean baselineOnMigrate = false;

    @Default("false")
    @JsonPropertyDescription("Apply a script whose version is lower than the current one (e.g. from a merged branch).")
    private Boolean outOfOrder = false;

    @Default("true")
    @JsonPropertyDescription("Check, before migrating, that applied scripts are unchanged (checksums). A mismatch is Stalled.")
    private Boolean validateOnMigrate = true;

    @Default("false")
    @JsonPropertyDescription("Allow a script to mix statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY) with others. Off: put such statements in a script of their own, which then runs without a transaction.")
    private Boolean mixed = false;

    @Min(0)
    @Max(3600)
    @Default("60")
    @JsonPropertyDescription("Seconds to wait for another migration of the same schema (Flyway's lock) before retrying later.")
    private Integer lockRetryCount = 60;

    @JsonPropertyDescription("Take a logical PostgresBackup of the database to this target, and wait until it is Ready, before each migrate that has scripts to run.")
    private PreMigrationBackup backupBefore;

    @Default("\"Never\"")
    @JsonPropertyDescription("OnCopy: before migrating production, restore the backup taken before migrating (spec.backupBefore) into a"
            + " copy on the same cluster, migrate the copy and check the database's query budgets there; a budget exceeded or a query"
            + " that fails on the copy keeps production untouched (Stalled, QueryBudgetExceededOnCopy). The copy is dropped afterwards."
            + " Never (default): migrate without that check.")
    private CheckBudgets checkBudgets = CheckBudgets.Never;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PreMigrationBackup {
        @Required
        @JsonPropertyDescription("Where the backup goes: a PVC or S3-compatible storage, as in PostgresBackup.")
        private BackupTarget target;

        @Pattern("^(none|gzip(:[1-9])?)$")
        @Size(max = 8)
        @JsonPropertyDescription("pg_dump compression (default gzip).")
        private String compression;

        public BackupTarget getTarget() { return target; }
        public void setTarget(BackupTarget target) { this.target = target; }
        public String getCompression() { return compression; }
        public void setCompression(String compression) { this.compression = compression; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class MigrationSource {
        @Required
        @Pattern(Names.DNS_SUBDOMAIN)
        @Size(max = Names.DNS_SUBDOMAIN_MAX)
        @JsonPropertyDescription("ConfigMap name (same namespace). A ConfigMap holds at most 1 MiB: split large sets over several.")
        private String configMap;

        @JsonPropertyDescription("Only these keys (default: every key ending in .sql).")
        @Size(max = 256)
        private List<@Size(max = Names.KEY_MAX) String> keys = new ArrayList<>();

        public String getConfigMap() { return configMap; }
        public void setConfigMap(String configMap) { this.configMap = configMap; }
        public List<String> getKeys() { return keys; }
        public void setKeys(List<String> keys) { this.keys = keys; }
    }

    public CheckBudgets getCheckBudgets() { return checkBudgets; }
    public void setCheckBudgets(CheckBudgets checkBudgets) { this.checkBudgets = checkBudgets; }
    public LocalReference getDatabaseRef() { return databaseRef; }
    public void setDatabaseRef(LocalReference databaseRef) { this.databaseRef = databaseRef; }
    public List<String> getSchemas() { return schemas; }
    public void setSchemas(List<String> schemas) { this.schemas = schemas; }
    public String getRunAs() { return runAs; }
    public void setRunAs(String runAs) { this.runAs = runAs; }
    public List<MigrationSource> getSources() { return sources; }
    public void setSources(List<MigrationSource> sources) { this.sources = sources; }
    public Map<String, String> getPlaceholders() { return placeholders; }
    public void setPlaceholders(Map<String, String> placeholders) { this.placeholders = placeholders; }
    public String getBaselineVersion() { return baselineVersion; }
    public void setBaselineVersion(String baselineVersion) { this.baselineVersion = baselineVersion; }
    public Boolean getBaselineOnMigrate() { return baselineOnMigrate; }
    public void setBaselineOnMigrate(Boolean baselineOnMigrate) { this.baselineOnMigrate = baselineOnMigrate; }
    public Boolean getOutOfOrder() { return outOfOrder; }
    public void setOutOfOrder(Boolean outOfOrder) { this.outOfOrder = outOfOrder; }
    public Boolean getValidateOnMigrate() { return validateOnMigrate; }
    public void setValidateOnMigrate(Boolean validateOnMigrate) { this.validateOnMigrate = validateOnMigrate; }
    public Boolean getMixed() { return mixed; }
    public void setMixed(Boolean mixed) { this.mixed = mixed; }
    public Integer getLockRetryCount() { return lockRetryCount; }
    public void setLockRetryCount(Integer lockRetryCount) { this.lockRetryCount = lockRetryCount; }
    public PreMigrationBackup getBackupBefore() { return backupBefore; }
    public void setBackupBefore(PreMigrationBackup backupBefore) { this.backupBefore = backupBefore; }
}
