package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.__import__) || has(oldSelf.__import__)",
        message = "spec.import can only be given when the PostgresDatabase is created: an import fills a new, empty database")
public class PostgresDatabaseSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster that holds the database.")
    private LocalReference clusterRef;

    @Pattern(Names.PG_IDENTIFIER)

    @Size(max = Names.IDENTIFIER_MAX)
    @ValidationRule(value = "self == oldSelf", message = "spec.name is immutable")
    @ValidationRule(value = "!(self in ['postgres', 'template0', 'template1'])",
            message = "postgres, template0 and template1 are the server's own databases, which a PostgresDatabase may not manage or drop")
    @JsonPropertyDescription("Database name in PostgreSQL; defaults to metadata.name. Immutable. Not postgres, template0 or template1 (the server's own).")
    private String name;

    @Required
    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    @JsonPropertyDescription("Role that owns the database (usually a PostgresRole used for migrations). The database waits until it exists.")
    private String owner;

    @Pattern("^[A-Za-z0-9_]{1,20}$")
    @Size(max = 20)
    @Default("\"UTF8\"")
    @ValidationRule(value = "self == oldSelf", message = "spec.encoding is immutable: a database's encoding is fixed when it is created")
    @JsonPropertyDescription("Character encoding, fixed at creation (default UTF8).")
    private String encoding = "UTF8";

    @Pattern("^[A-Za-z0-9_.@-]{1,64}$")
    @Size(max = 64)
    @ValidationRule(value = "self == oldSelf", message = "spec.locale is immutable: a database's collation is fixed when it is created")
    @JsonPropertyDescription("LC_COLLATE and LC_CTYPE, fixed at creation (default: the server's). Needs template: template0 when it differs from the template's.")
    private String locale;

    @Pattern(Names.PG_IDENTIFIER)

    @Size(max = Names.IDENTIFIER_MAX)
    @JsonPropertyDescription("Template database used at creation (default template1).")
    private String template;

    @JsonPropertyDescription("Schemas of the database. Schemas not listed are left alone; ensure: absent drops an empty one.")
    @Size(max = Names.NAMES_MAX)
    private List<SchemaSpec> schemas = new ArrayList<>();

    @JsonPropertyDescription("Extensions of the database. Extensions not listed are left alone; ensure: absent drops one.")
    @Size(max = Names.NAMES_MAX)
    private List<ExtensionSpec> extensions = new ArrayList<>();

    @Size(max = 20)
    @ValidationRule(value = "self.all(p, self.exists_one(q, q.table == p.table))", message = "spec.partitions: each table at most once")
    @JsonPropertyDescription("Partition maintenance of range-partitioned tables, run on every re-check as each table's owner: "
            + "partitions ahead, retention, rows moved out of the default partition. A table that does not exist yet is waited for.")
    private List<PartitionSpec> partitions = new ArrayList<>();

    @Size(max = 20)
    @ValidationRule(value = "self.all(b, self.exists_one(c, c.name == b.name))", message = "spec.queryBudgets: each name at most once")
    @JsonPropertyDescription("Critical queries and the longest each may take. The operator runs each under EXPLAIN ANALYZE as its role"
            + " (never as a superuser), read-only and with a statement timeout, after every migration of the database and every"
            + " queryBudgetInterval; status.queryBudgets has time, plan shape and the worst row estimate, a Warning Event and the"
            + " shopdb_query_budget_* metrics report a budget exceeded or a plan changed.")
    private List<QueryBudgetSpec> queryBudgets = new ArrayList<>();

    @Pattern("^[1-9][0-9]{0,4}(m|h)$")
    @Size(max = 6)
    @Default("\"1h\"")
    @JsonPropertyDescription("How often the query budgets are checked besides after migrations: 15m, 1h (default), 24h.")
    private String queryBudgetInterval = "1h";

    @JsonProperty("import")
    @ValidationRule(value = "self == oldSelf", message = "spec.import is immutable: the import runs once, when the database is created")
    @JsonPropertyDescription("Fill the new database once from an existing PostgreSQL (pg_dump | pg_restore in an agent Job), then compare "
            + "row counts and checksums of every table; status.import has the report. Only at creation; may be removed afterwards.")
    private ImportSpec importSpec;

    @Default("\"Retain\"")
    @JsonPropertyDescription("Retain (default) keeps the database when the resource is deleted; Delete drops it, but only a database this resource created (status.createdByOperator): an existing database it adopted is kept, with a Warning Event.")
    private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

    public enum Ensure { present, absent }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SchemaSpec {
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("Schema name.")
        private String name;
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("Owner of the schema (default: the database owner).")
        private String owner;
        @Default("\"present\"")
        @JsonPropertyDescription("present (default) or absent. absent drops the schema only when it is empty (RESTRICT), never its data.")
        private Ensure ensure = Ensure.present;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getOwner() { return owner; }
        public void setOwner(String owner) { this.owner = owner; }
        public Ensure getEnsure() { return ensure; }
        public void setEnsure(Ensure ensure) { this.ensure = ensure; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ExtensionSpec {
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("Extension name, e.g. pgcrypto, citext, pg_trgm.")
        private String name;
        @Pattern("^[A-Za-z0-9_.-]{1,32}$")
        @Size(max = 32)
        @JsonPropertyDescription("Version to install or update to (default: the server's default version).")
        private String version;
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("Schema to install the extension into (default: public).")
        private String schema;
        @Default("\"present\"")
        @JsonPropertyDescription("present (default) or absent.")
        private Ensure ensure = Ensure.present;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getVersion() { return version; }
        public void setVersion(String version) { this.version = version; }
        public String getSchema() { return schema; }
        public void setSchema(String schema) { this.schema = schema; }
        public Ensure getEnsure() { return ensure; }
        public void setEnsure(Ensure ensure) { this.ensure = ensure; }
    }

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getOwner() { return owner; }
    public void setOwner(String owner) { this.owner = owner; }
    public String getEncoding() { return encoding; }
    public void setEncoding(String encoding) { this.encoding = encoding; }
    public String getLocale() { return locale; }
    public void setLocale(String locale) { this.locale = locale; }
    public String getTemplate() { return template; }
    public void setTemplate(String template) { this.template = template; }
    public List<SchemaSpec> getSchemas() { return schemas; }
    public void setSchemas(List<SchemaSpec> schemas) { this.schemas = schemas; }
    public List<ExtensionSpec> getExtensions() { return extensions; }
    public void setExtensions(List<ExtensionSpec> extensions) { this.extensions = extensions; }
    public List<PartitionSpec> getPartitions() { return partitions; }
    public void setPartitions(List<PartitionSpec> partitions) { this.partitions = partitions; }
    @JsonProperty("import")
    public ImportSpec getImportSpec() { return importSpec; }
    @JsonProperty("import")
    public void setImportSpec(ImportSpec importSpec) { this.importSpec = importSpec; }
    public List<QueryBudgetSpec> getQueryBudgets() { return queryBudgets; }
    public void setQueryBudgets(List<QueryBudgetSpec> queryBudgets) { this.queryBudgets = queryBudgets; }
    public String getQueryBudgetInterval() { return queryBudgetInterval; }
    public void setQueryBudgetInterval(String queryBudgetInterval) { this.queryBudgetInterval = queryBudgetInterval; }
    public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
}
