package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresMajorUpgradeStatus extends ShopdbStatus {
    @JsonPropertyDescription("The source's server version, e.g. 15.18.")
    private String sourceVersion;
    @JsonPropertyDescription("The target's server version, e.g. 16.6.")
    private String targetVersion;
    @JsonPropertyDescription("The source's primary instance when the copy began: its replication slots live there, so a failover of the source ends the upgrade (Stalled).")
    private String sourcePrimary;
    @JsonPropertyDescription("The databases copied, each with its schema copied and its tables' initial copy state.")
    private List<UpgradeDatabase> databases = new ArrayList<>();
    @JsonPropertyDescription("Roles copied from the source (with their password hashes and memberships).")
    private Integer rolesCopied;
    @JsonPropertyDescription("Bytes of the source's WAL the target has not confirmed yet (the largest over the databases).")
    private Long lagBytes;
    @JsonPropertyDescription("When the copy began (RFC 3339).")
    private String startedAt;
    @JsonPropertyDescription("When the source turned read-only for the cutover (RFC 3339); from then on the Services move.")
    private String cutoverStartedAt;
    @JsonPropertyDescription("When the source's Services led to the target (RFC 3339).")
    private String cutoverAt;
    @JsonPropertyDescription("How long writes paused at the cutover: from the source turning read-only to its -rw Service leading to the target, e.g. 0.8s.")
    private String writePause;
    @JsonPropertyDescription("Sequences whose values were carried to the target at the cutover.")
    private Integer sequencesCopied;
    @JsonPropertyDescription("Tables whose row count and checksum were compared, source against target at the cutover.")
    private Integer tablesCompared;
    @JsonPropertyDescription("Tables that differ (missing, other row count or content); empty when the copy is exact.")
    private List<String> mismatches = new ArrayList<>();

    /** One database of the source and how far its copy is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class UpgradeDatabase {
        @JsonPropertyDescription("Database name.")
        private String name;
        @JsonPropertyDescription("Schema restored on the target (pg_dump --schema-only).")
        private Boolean schemaCopied;
        @JsonPropertyDescription("Tables of its publication.")
        private Integer tables;
        @JsonPropertyDescription("Tables whose initial copy is done and that stream changes.")
        private Integer tablesReady;

        public UpgradeDatabase() {}
        public UpgradeDatabase(String name) { this.name = name; }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public Boolean getSchemaCopied() { return schemaCopied; }
        public void setSchemaCopied(Boolean schemaCopied) { this.schemaCopied = schemaCopied; }
        public Integer getTables() { return tables; }
        public void setTables(Integer tables) { this.tables = tables; }
        public Integer getTablesReady() { return tablesReady; }
        public void setTablesReady(Integer tablesReady) { this.tablesReady = tablesReady; }
    }

    public String getSourcePrimary() { return sourcePrimary; }
    public void setSourcePrimary(String sourcePrimary) { this.sourcePrimary = sourcePrimary; }
    public String getSourceVersion() { return sourceVersion; }
    public void setSourceVersion(String sourceVersion) { this.sourceVersion = sourceVersion; }
    public String getTargetVersion() { return targetVersion; }
    public void setTargetVersion(String targetVersion) { this.targetVersion = targetVersion; }
    public List<UpgradeDatabase> getDatabases() { return databases; }
    public void setDatabases(List<UpgradeDatabase> databases) { this.databases = databases; }
    public Integer getRolesCopied() { return rolesCopied; }
    public void setRolesCopied(Integer rolesCopied) { this.rolesCopied = rolesCopied; }
    public Long getLagBytes() { return lagBytes; }
    public void setLagBytes(Long lagBytes) { this.lagBytes = lagBytes; }
    public String getStartedAt() { return startedAt; }
    public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
    public String getCutoverStartedAt() { return cutoverStartedAt; }
    public void setCutoverStartedAt(String cutoverStartedAt) { this.cutoverStartedAt = cutoverStartedAt; }
    public String getCutoverAt() { return cutoverAt; }
    public void setCutoverAt(String cutoverAt) { this.cutoverAt = cutoverAt; }
    public String getWritePause() { return writePause; }
    public void setWritePause(String writePause) { this.writePause = writePause; }
    public Integer getSequencesCopied() { return sequencesCopied; }
    public void setSequencesCopied(Integer sequencesCopied) { this.sequencesCopied = sequencesCopied; }
    public Integer getTablesCompared() { return tablesCompared; }
    public void setTablesCompared(Integer tablesCompared) { this.tablesCompared = tablesCompared; }
    public List<String> getMismatches() { return mismatches; }
    public void setMismatches(List<String> mismatches) { this.mismatches = mismatches; }
}
