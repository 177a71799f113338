package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** TLS of a managed cluster. TLS is always on; this only says whose CA signs the server certificate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Secret holding the CA that signs the server certificate: keys ca.crt and ca.key (or tls.crt and tls.key, as a cert-manager CA Secret has), PEM, key unencrypted. The operator reads it and never writes it. Without it the operator creates a CA of its own in <cluster>-ca.")
    private String caSecretName;

    public String getCaSecretName() { return caSecretName; }
    public void setCaSecretName(String caSecretName) { this.caSecretName = caSecretName; }
}
