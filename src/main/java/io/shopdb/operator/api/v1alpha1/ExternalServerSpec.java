package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalServerSpec {
    @Required
    @Pattern("^[A-Za-z0-9]([-A-Za-z0-9.:]{0,252})$")
    @Size(max = 253)
    @JsonPropertyDescription("Host name or IP address of the server.")
    private String host;

    @Min(1)
    @Max(65535)
    @Default("5432")
    @JsonPropertyDescription("TCP port of the server.")
    private Integer port = 5432;

    @Default("\"prefer\"")
    @JsonPropertyDescription("libpq sslmode used to connect: disable, allow, prefer, require, verify-ca or verify-full.")
    private SslMode sslMode = SslMode.prefer;

    @Required
    @JsonPropertyDescription("Secret with the admin credentials (keys username and password unless named otherwise). The role needs CREATEDB and CREATEROLE.")
    private SecretKeyReference adminSecretRef;

    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    @Default("\"postgres\"")
    @JsonPropertyDescription("Database to connect to for administration.")
    private String database = "postgres";

    public enum SslMode { disable, allow, prefer, require, @com.fasterxml.jackson.annotation.JsonProperty("verify-ca") verifyCa, @com.fasterxml.jackson.annotation.JsonProperty("verify-full") verifyFull }

    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public Integer getPort() { return port; }
    public void setPort(Integer port) { this.port = port; }
    public SslMode getSslMode() { return sslMode; }
    public void setSslMode(SslMode sslMode) { this.sslMode = sslMode; }
    public SecretKeyReference getAdminSecretRef() { return adminSecretRef; }
    public void setAdminSecretRef(SecretKeyReference adminSecretRef) { this.adminSecretRef = adminSecretRef; }
    public String getDatabase() { return database; }
    public void setDatabase(String database) { this.database = database; }
}
