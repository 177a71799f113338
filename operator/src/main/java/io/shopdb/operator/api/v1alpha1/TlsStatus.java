package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The server certificate of a managed cluster, as the operator last issued and reloaded it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsStatus {
    @JsonPropertyDescription("Secret with the server certificate, its key and the CA (kubernetes.io/tls with ca.crt).")
    private String serverSecret;
    @JsonPropertyDescription("Secret whose ca.crt clients use to verify the server (sslrootcert).")
    private String caSecret;
    @JsonPropertyDescription("Serial number (hex) of the current server certificate.")
    private String serial;
    @JsonPropertyDescription("When the server certificate expires (RFC 3339).")
    private String notAfter;
    @JsonPropertyDescription("When the operator renews it: a third of the validity before notAfter (RFC 3339).")
    private String renewAfter;
    @JsonPropertyDescription("Serial of the certificate every instance was last reloaded with.")
    private String reloadedSerial;

    public String getServerSecret() { return serverSecret; }
    public void setServerSecret(String serverSecret) { this.serverSecret = serverSecret; }
    public String getCaSecret() { return caSecret; }
    public void setCaSecret(String caSecret) { this.caSecret = caSecret; }
    public String getSerial() { return serial; }
    public void setSerial(String serial) { this.serial = serial; }
    public String getNotAfter() { return notAfter; }
    public void setNotAfter(String notAfter) { this.notAfter = notAfter; }
    public String getRenewAfter() { return renewAfter; }
    public void setRenewAfter(String renewAfter) { this.renewAfter = renewAfter; }
    public String getReloadedSerial() { return reloadedSerial; }
    public void setReloadedSerial(String reloadedSerial) { this.reloadedSerial = reloadedSerial; }
}
