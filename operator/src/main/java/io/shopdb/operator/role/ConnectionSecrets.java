package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.shopdb.operator.kube.CachedObjects;
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
     * As above, plus the keys of each pooler. PgBouncer serves TLS to its clients with a certificate the cluster's
     * CA signed for the pooler's Service names (pooler/PoolerTls), so the pooler keys verify the server as the
     * direct keys do: the same sslmode (verify-full for a managed cluster) and, in the JDBC URL, the same CA
     * inline; the libpq URI finds the CA through sslrootcert / PGSSLROOTCERT pointing at this Secret's ca.crt. In
     * transaction mode the JDBC URL turns off server-side prepared statements (prepareThreshold=0), which
     * PgBouncer 1.18 cannot carry from one transaction's server connection to the next.
     */
    public static Secret build(PostgresRole role, String host, String port, String database, String user, char[] password,
                               Map<String, String> labels, String sslMode, String caPem, java.util.List<Pooler> poolers) {
        String pw = new String(password);
        String address = host + ":" + port;
        var builder = new SecretBuilder()
                .withNewMetadata().withName(name(role)).withNamespace(role.getMetadata().getNamespace())
                .withLabels(CachedObjects.madeByOperator(labels)).endMetadata()
                .withType("Opaque")
                .addToData("host", GeneratedSecrets.base64(host))
                .addToData("port", GeneratedSecrets.base64(port))
                .addToData("database", GeneratedSecrets.base64(database))
                .addToData("user", GeneratedSecrets.base64(user))
                .addToData("username", GeneratedSecrets.base64(user))
                .addToData("password", GeneratedSecrets.base64(pw))
                .addToData("uri", GeneratedSecrets.base64(uri(address, database, user, pw, sslMode)))
                .addToData("jdbc-uri", GeneratedSecrets.base64(jdbcUri(address, database, user, pw, sslMode, caPem, false)));
        if (sslMode != null) {
            builder.addToData("sslmode", GeneratedSecrets.base64(sslMode));
        }
        if (caPem != null) {
            builder.addToData("ca.crt", GeneratedSecrets.base64(caPem));
        }
        for (Pooler p : poolers) {
            String pooler = p.host() + ":" + p.port();
            builder.addToData(p.keyPrefix() + "host", GeneratedSecrets.base64(p.host()))
                    .addToData(p.keyPrefix() + "port", GeneratedSecrets.base64(String.valueOf(p.port())))
                    .addToData(p.keyPrefix() + "uri", GeneratedSecrets.base64(uri(pooler, database, user, pw, sslMode)))
                    .addToData(p.keyPrefix() + "jdbc-uri", GeneratedSecrets.base64(jdbcUri(pooler, database, user, pw, sslMode, caPem, p.transactionMode())));
        }
        return builder.build();
    }

    /** libpq's URI form; the CA is a file (ca.crt of this Secret), so only sslmode is in it. */
    private static String uri(String address, String database, String user, String pw, String sslMode) {
        return "postgresql://" + enc(user) + ":" + enc(pw) + "@" + address + "/" + enc(database) + (sslMode == null ? "" : "?sslmode=" + sslMode);
    }

    private static String jdbcUri(String address, String database, String user, String pw, String sslMode, String caPem, boolean transactionMode) {
        return "jdbc:postgresql://" + address + "/" + enc(database) + "?user=" + enc(user) + "&password=" + enc(pw)
                + (sslMode == null ? "" : "&sslmode=" + sslMode)
                + (caPem == null ? "" : "&sslfactory=org.postgresql.ssl.SingleCertValidatingFactory&sslfactoryarg=" + enc(caPem.strip()))
                + (transactionMode ? "&prepareThreshold=0" : "");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
