package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/** Everything a role holds in one database. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrantSpec {
    @Required
    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    @JsonPropertyDescription("Database name in PostgreSQL.")
    private String database;

    @JsonPropertyDescription("Privileges on the database: CONNECT, CREATE, TEMPORARY.")
    @Size(max = Names.PRIVILEGES_MAX)
    private List<DatabasePrivilege> privileges = new ArrayList<>();

    @JsonPropertyDescription("Privileges on schemas and on all their tables, sequences and functions.")
    @Size(max = Names.NAMES_MAX)
    private List<SchemaGrant> schemas = new ArrayList<>();

    @JsonPropertyDescription("Privileges on specific tables or views.")
    @Size(max = 256)
    private List<TableGrant> tables = new ArrayList<>();

    public enum DatabasePrivilege { CONNECT, CREATE, TEMPORARY }
    public enum SchemaPrivilege { USAGE, CREATE }
    public enum TablePrivilege { SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER }
    public enum SequencePrivilege { USAGE, SELECT, UPDATE }
    public enum FunctionPrivilege { EXECUTE }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SchemaGrant {
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        // the system catalogs hold every role's password hash (pg_authid) and the server's own functions
        @ValidationRule(value = "!self.startsWith('pg_') && self != 'information_schema'",
                message = "a grant's schema may not be a system schema (pg_catalog, pg_toast, information_schema, any pg_*)")
        @JsonPropertyDescription("Schema name; not a system schema (pg_*, information_schema).")
        private String name;
        @JsonPropertyDescription("Privileges on the schema: USAGE, CREATE.")
        @Size(max = Names.PRIVILEGES_MAX)
        private List<SchemaPrivilege> privileges = new ArrayList<>();
        @JsonPropertyDescription("Privileges on ALL TABLES (and views) in the schema, as they are now.")
        @Size(max = Names.PRIVILEGES_MAX)
        private List<TablePrivilege> tables = new ArrayList<>();
        @JsonPropertyDescription("Privileges on ALL SEQUENCES in the schema.")
        @Size(max = Names.PRIVILEGES_MAX)
        private List<SequencePrivilege> sequences = new ArrayList<>();
        @JsonPropertyDescription("Privileges on ALL FUNCTIONS in the schema.")
        @Size(max = Names.PRIVILEGES_MAX)
        private List<FunctionPrivilege> functions = new ArrayList<>();
        @JsonPropertyDescription("Default privileges: what objects created later in this schema by these roles grant this role.")
        @Size(max = Names.PRIVILEGES_MAX)
        private List<DefaultPrivileges> defaultPrivileges = new ArrayList<>();

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public List<SchemaPrivilege> getPrivileges() { return privileges; }
        public void setPrivileges(List<SchemaPrivilege> privileges) { this.privileges = privileges; }
        public List<TablePrivilege> getTables() { return tables; }
        public void setTables(List<TablePrivilege> tables) { this.tables = tables; }
        public List<SequencePrivilege> getSequences() { return sequences; }
        public void setSequences(List<SequencePrivilege> sequences) { this.sequences = sequences; }
        public List<FunctionPrivilege> getFunctions() { return functions; }
        public void setFunctions(List<FunctionPrivilege> functions) { this.functions = functions; }
        public List<DefaultPrivileges> getDefaultPrivileges() { return defaultPrivileges; }
        public void setDefaultPrivileges(List<DefaultPrivileges> defaultPrivileges) { this.defaultPrivileges = defaultPrivileges; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DefaultPrivileges {
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("The role whose future objects carry these grants (e.g. the owner that runs migrations).")
        private String forRole;
        @Size(max = Names.PRIVILEGES_MAX)
        private List<TablePrivilege> tables = new ArrayList<>();
        @Size(max = Names.PRIVILEGES_MAX)
        private List<SequencePrivilege> sequences = new ArrayList<>();
        @Size(max = Names.PRIVILEGES_MAX)
        private List<FunctionPrivilege> functions = new ArrayList<>();

        public String getForRole() { return forRole; }
        public void setForRole(String forRole) { this.forRole = forRole; }
        public List<TablePrivilege> getTables() { return tables; }
        public void setTables(List<TablePrivilege> tables) { this.tables = tables; }
        public List<SequencePrivilege> getSequences() { return sequences; }
        public void setSequences(List<SequencePrivilege> sequences) { this.sequences = sequences; }
        public List<FunctionPrivilege> getFunctions() { return functions; }
        public void setFunctions(List<FunctionPrivilege> functions) { this.functions = functions; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TableGrant {
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        private String schema;
        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        private String name;
        @Size(max = Names.PRIVILEGES_MAX)
        private List<TablePrivilege> privileges = new ArrayList<>();

        public String getSchema() { return schema; }
        public void setSchema(String schema) { this.schema = schema; }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public List<TablePrivilege> getPrivileges() { return privileges; }
        public void setPrivileges(List<TablePrivilege> privileges) { this.privileges = privileges; }
    }

    public String getDatabase() { return database; }
    public void setDatabase(String database) { this.database = database; }
    public List<DatabasePrivilege> getPrivileges() { return privileges; }
    public void setPrivileges(List<DatabasePrivilege> privileges) { this.privileges = privileges; }
    public List<SchemaGrant> getSchemas() { return schemas; }
    public void setSchemas(List<SchemaGrant> schemas) { this.schemas = schemas; }
    public List<TableGrant> getTables() { return tables; }
    public void setTables(List<TableGrant> tables) { this.tables = tables; }
}
