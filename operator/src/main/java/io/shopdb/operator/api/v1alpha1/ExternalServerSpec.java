package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

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

    @JsonPropertyDescription("libpq sslmode used to connect: disable, allow, prefer, require, verify-ca or verify-full. Omitted: verify-full when caSecretName is set, else require (encrypted but the server is not verified: a Warning Event says so). prefer, allow and disable, which a man in the middle can downgrade to plain text, only when set here.")
    private SslMode sslMode;

    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Secret with the CA certificate (key ca.crt, PEM) that signed the server's certificate, e.g. the RDS or Cloud SQL server CA. With it the operator and the connection Secrets verify the server (verify-full by default).")
    private String caSecretName;

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
    public String getCaSecretName() { return caSecretName; }
    public void setCaSecretName(String caSecretName) { this.caSecretName = caSecretName; }
    public SecretKeyReference getAdminSecretRef() { return adminSecretRef; }
    public void setAdminSecretRef(SecretKeyReference adminSecretRef) { this.adminSecretRef = adminSecretRef; }
    public String getDatabase() { return database; }
    public void setDatabase(String database) { this.database = database; }
}
