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

/**
 * spec.import of a PostgresDatabase: fill the new database once from an existing server (pg_dump | pg_restore by the
 * agent), then compare every table's row count and checksum between the two.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.schemas) || !has(self.excludeSchemas) || self.schemas.all(s, !(s in self.excludeSchemas))",
        message = "spec.import: a schema cannot be both in schemas and in excludeSchemas")
public class ImportSpec {
    @Required
    @JsonPropertyDescription("The existing server and database to copy.")
    private ImportSource source;

    @Min(1)
    @Max(16)
    @Default("2")
    @JsonPropertyDescription("Parallel pg_dump and pg_restore jobs (default 2); each holds one connection to the source.")
    private Integer jobs = 2;

    @Size(max = Names.NAMES_MAX)
    @JsonPropertyDescription("Only these schemas (exact names). Omitted: every schema. With a schema list pg_dump leaves out extensions: declare them in spec.extensions.")
    private List<@Pattern(Names.PG_IDENTIFIER) @Size(max = Names.IDENTIFIER_MAX) String> schemas = new ArrayList<>();

    @Size(max = Names.NAMES_MAX)
    @JsonPropertyDescription("Schemas left behind (exact names).")
    private List<@Pattern(Names.PG_IDENTIFIER) @Size(max = Names.IDENTIFIER_MAX) String> excludeSchemas = new ArrayList<>();

    @Default("false")
    @JsonPropertyDescription("false (default): a target database that already holds tables is refused (Stalled/TargetNotEmpty). "
            + "true: import over it; objects of the dump that exist are dropped first (pg_restore --clean), others are kept.")
    private Boolean replaceExisting = false;

    @Min(1)
    @Max(10080)
    @JsonPropertyDescription("The agent gives up after this many minutes (default 360); the Job's deadline is 5 minutes later.")
    private Integer timeoutMinutes;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ImportSource {
        @Required
        @Pattern("^[A-Za-z0-9]([-A-Za-z0-9.:]{0,252})$")
        @Size(max = 253)
        @JsonPropertyDescription("Host name or IP address of the existing server (a VM, RDS, Cloud SQL, another cluster's Service).")
        private String host;

        @Min(1)
        @Max(65535)
        @Default("5432")
        @JsonPropertyDescription("TCP port of the server.")
        private Integer port = 5432;

        @Required
        @Pattern(Names.PG_IDENTIFIER)
        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("The database to copy.")
        private String database;

        @Required
        @JsonPropertyDescription("Secret with the source's credentials (keys username and password unless named otherwise). "
                + "The role needs to read every table copied (e.g. pg_read_all_data); it is never a role of the target.")
        private SecretKeyReference secretRef;

        @JsonPropertyDescription("libpq sslmode towards the source: disable, allow, prefer, require, verify-ca or verify-full. Omitted: "
                + "verify-full when caSecretName is set, else require (encrypted but the source is not verified: a Warning Event says so). "
                + "prefer, allow and disable, which a man in the middle can downgrade to plain text, only when set here.")
        private SslMode sslMode;

        @Size(max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
        @JsonPropertyDescription("Secret with the CA certificate (key ca.crt, PEM) that signed the source server's certificate, e.g. the "
                + "RDS or Cloud SQL server CA. The agent's pod mounts that key only, and verifies the source (verify-full by default).")
        private String caSecretName;

        public enum SslMode { disable, allow, prefer, require, @com.fasterxml.jackson.annotation.JsonProperty("verify-ca") verifyCa,
            @com.fasterxml.jackson.annotation.JsonProperty("verify-full") verifyFull }

        public String getHost() { return host; }
        public void setHost(String host) { this.host = host; }
        public Integer getPort() { return port; }
        public void setPort(Integer port) { this.port = port; }
        public String getDatabase() { return database; }
        public void setDatabase(String database) { this.database = database; }
        public SecretKeyReference getSecretRef() { return secretRef; }
        public void setSecretRef(SecretKeyReference secretRef) { this.secretRef = secretRef; }
        public SslMode getSslMode() { return sslMode; }
        public void setSslMode(SslMode sslMode) { this.sslMode = sslMode; }
        public String getCaSecretName() { return caSecretName; }
        public void setCaSecretName(String caSecretName) { this.caSecretName = caSecretName; }
    }

    public ImportSource getSource() { return source; }
    public void setSource(ImportSource source) { this.source = source; }
    public Integer getJobs() { return jobs; }
    public void setJobs(Integer jobs) { this.jobs = jobs; }
    public List<String> getSchemas() { return schemas; }
    public void setSchemas(List<String> schemas) { this.schemas = schemas; }
    public List<String> getExcludeSchemas() { return excludeSchemas; }
    public void setExcludeSchemas(List<String> excludeSchemas) { this.excludeSchemas = excludeSchemas; }
    public Boolean getReplaceExisting() { return replaceExisting; }
    public void setReplaceExisting(Boolean replaceExisting) { this.replaceExisting = replaceExisting; }
    public Integer getTimeoutMinutes() { return timeoutMinutes; }
    public void setTimeoutMinutes(Integer timeoutMinutes) { this.timeoutMinutes = timeoutMinutes; }
}
