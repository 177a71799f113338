package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.GeneratedSecrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The app-ready Secret of a login role: mount it or use envFrom in a Deployment. Pure builder; the values
 * (password included) exist only in the Secret, never in status, logs or Events.
 */
public final class ConnectionSecrets {
    private ConnectionSecrets() {}

    static final String SUFFIX = "-connection";

    public static String name(PostgresRole role) {
        return role.getMetadata().getName() + SUFFIX;
    }

    public static Secret build(PostgresRole role, String host, String port, String database, String user, char[] password,
                               Map<String, String> labels) {
        return build(role, host, port, database, user, password, labels, null, null);
    }

    /**
     * With {@code sslMode} the URIs say it; with {@code caPem} the Secret carries the CA as {@code ca.crt}
     * (mount it and point libpq's sslrootcert / PGSSLROOTCERT at it) and the JDBC URL holds the CA inline
     * (pgjdbc's SingleCertValidatingFactory), so it verifies the server without any file.
     */
    public static Secret build(PostgresRole role, String host, String port, String database, String user, char[] password,
                               Map<String, String> labels, String sslMode, String caPem) {
        return build(role, host, port, database, user, password, labels, sslMode, caPem, java.util.List.of());
    }

    /**
     * A pooler in front of the role's cluster: its keys are {@code <prefix>host}, {@code port}, {@code uri} and
     * {@code jdbc-uri} ({@code pooler-} for a pooler of the primary, {@code pooler-ro-} for one of the replicas).
     */
    public record Pooler(String keyPrefix, String host, int port, boolean transactionMode) {}

    /**
     * As above, plus the keys of each pooler. The pooler's client side is plain TCP inside the cluster network
     * (PgBouncer verifies the server; client TLS is not offered), so its URIs say sslmode=disable; in transaction
     * mode the JDBC URL turns off server-side prepared statements (prepareThreshold=0), which PgBouncer 1.18
     * cannot carry from one transaction's server connection to the next.
     */
    public static Secret build(PostgresRole role, String host, String port, String database, String user, char[] password,
                               Map<String, String> labels, String sslMode, String caPem, java.util.List<Pooler> poolers) {
        String pw = new String(password);
        String ssl = sslMode == null ? "" : "?sslmode=" + sslMode;
        String uri = "postgresql://" + enc(user) + ":" + enc(pw) + "@" + host + ":" + port + "/" + enc(database) + ssl;
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + enc(database) + "?user=" + enc(user) + "&password=" + enc(pw)
                + (sslMode == null ? "" : "&sslmode=" + sslMode)
                + (caPem == null ? "" : "&sslfactory=org.postgresql.ssl.SingleCertValidatingFactory&sslfactoryarg=" + enc(caPem.strip()));
        var builder = new SecretBuilder()
                .withNewMetadata().withName(name(role)).withNamespace(role.getMetadata().getNamespace()).withLabels(labels).endMetadata()
                .withType("Opaque")
                .addToData("host", GeneratedSecrets.base64(host))
                .addToData("port", GeneratedSecrets.base64(port))
                .addToData("database", GeneratedSecrets.base64(database))
                .addToData("user", GeneratedSecrets.base64(user))
                .addToData("username", GeneratedSecrets.base64(user))
                .addToData("password", GeneratedSecrets.base64(pw))
                .addToData("uri", GeneratedSecrets.base64(uri))
                .addToData("jdbc-uri", GeneratedSecrets.base64(jdbc));
        if (sslMode != null) {
            builder.addToData("sslmode", GeneratedSecrets.base64(sslMode));
        }
        if (caPem != null) {
            builder.addToData("ca.crt", GeneratedSecrets.base64(caPem));
        }
        for (Pooler p : poolers) {
            String address = p.host() + ":" + p.port();
            builder.addToData(p.keyPrefix() + "host", GeneratedSecrets.base64(p.host()))
                    .addToData(p.keyPrefix() + "port", GeneratedSecrets.base64(String.valueOf(p.port())))
                    .addToData(p.keyPrefix() + "uri", GeneratedSecrets.base64("postgresql://" + enc(user) + ":" + enc(pw) + "@" + address
                            + "/" + enc(database) + "?sslmode=disable"))
                    .addToData(p.keyPrefix() + "jdbc-uri", GeneratedSecrets.base64("jdbc:postgresql://" + address + "/" + enc(database)
                            + "?user=" + enc(user) + "&password=" + enc(pw) + "&sslmode=disable" + (p.transactionMode() ? "&prepareThreshold=0" : "")));
        }
        return builder.build();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
