package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the same namespace holding credentials under the keys {@code username} and {@code password}. */
public class SecretKeyReference {
    @Required
    @Pattern(Names.DNS_SUBDOMAIN)
    @Size(max = Names.DNS_SUBDOMAIN_MAX)
    @JsonPropertyDescription("Name of the Secret, in the same namespace.")
    private String name;

    @Pattern("^[-._a-zA-Z0-9]+$")

    @Size(max = Names.KEY_MAX)
    @JsonPropertyDescription("Key of the user name in the Secret (default: username).")
    private String usernameKey;

    @Pattern("^[-._a-zA-Z0-9]+$")

    @Size(max = Names.KEY_MAX)
    @JsonPropertyDescription("Key of the password in the Secret (default: password).")
    private String passwordKey;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getUsernameKey() { return usernameKey; }
    public void setUsernameKey(String usernameKey) { this.usernameKey = usernameKey; }
    public String getPasswordKey() { return passwordKey; }
    public void setPasswordKey(String passwordKey) { this.passwordKey = passwordKey; }
}
