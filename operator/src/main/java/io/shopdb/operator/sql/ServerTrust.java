package io.shopdb.operator.sql;

import java.util.Properties;

/**
 * How a client checks the server it reached: the CA it trusts (PEM) and the DNS name the server's
 * certificate must carry. The name is the one the address was resolved from (a Service), not the address
 * dialled: in Kubernetes they are the same; in the sandbox a Service maps to 127.0.0.1, and checking the
 * Service name keeps verify-full meaningful there instead of switching it off (see {@link ServerNameVerifier}).
 * The CA goes to pgjdbc inline (SingleCertValidatingFactory), so no file is written.
 */
public record ServerTrust(String caPem, String serverName) {
    /** The connection property {@link ServerNameVerifier} reads; pgjdbc ignores properties it does not know. */
    public static final String SERVER_NAME_PROPERTY = "shopdbServerName";

    public ServerTrust {
        if (caPem == null || !caPem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("the CA must be a PEM certificate");
        }
        if (serverName == null || serverName.isBlank()) {
            throw new IllegalArgumentException("a server name to verify is required");
        }
    }

    /** pgjdbc properties: trust only this CA and check the server name (with sslmode verify-full). */
    public void applyTo(Properties props) {
        props.setProperty("sslfactory", "org.postgresql.ssl.SingleCertValidatingFactory");
        props.setProperty("sslfactoryarg", caPem.strip());
        props.setProperty("sslhostnameverifier", ServerNameVerifier.class.getName());
        props.setProperty(SERVER_NAME_PROPERTY, serverName);
    }

    @Override
    public String toString() {
        return "ServerTrust[" + serverName + "]";
    }
}
