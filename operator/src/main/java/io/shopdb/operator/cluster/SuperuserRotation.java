package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.RoleCatalog;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Applies a changed superuser password (the user edits {@code <cluster>-superuser}) without a restart:
 * ALTER ROLE ... PASSWORD with client-side SCRAM, like roles. After the edit the operator can no longer log in
 * with the Secret's password, so it keeps the password it last applied in its own Secret
 * {@code <cluster>-superuser-applied} (owned by the cluster, never shown elsewhere) and logs in with that one.
 */
final class SuperuserRotation {
    /** SQLSTATE invalid_password: the server refused the password. */
    private static final String INVALID_PASSWORD = "28P01";

    private SuperuserRotation() {}

    /**
     * {@code admin} carries the Secret's (desired) password. Returns true when it changed the password in
     * the server. Throws when neither the desired nor the last applied password is accepted.
     */
    static boolean apply(KubernetesClient client, PostgresCluster c, PgEndpoint admin) throws SQLException {
        String ns = c.getMetadata().getNamespace();
        char[] applied = GeneratedSecrets.read(client, ns, ClusterNames.superuserAppliedSecret(c), "password");
        if (applied == null) {
            // first sight: the server holds the Secret's password (initdb, or the restored source's)
            GeneratedSecrets.ensure(client, c, ClusterNames.superuserAppliedSecret(c), ClusterNames.SUPERUSER, ClusterNames.labels(c), true, admin.password());
            return false;
        }
        if (Arrays.equals(applied, admin.password())) {
            return false;
        }
        PgEndpoint old = new PgEndpoint(admin.host(), admin.port(), admin.database(), admin.user(), applied, admin.sslMode(), admin.trust());
        boolean changed;
        try (Connection conn = PgConnections.open(old)) {
            changed = RoleCatalog.ensurePassword(conn, ClusterNames.SUPERUSER, admin.password());
        } catch (SQLException e) {
            if (!INVALID_PASSWORD.equals(e.getSQLState())) {
                throw e;
            }
            // an earlier pass set it but did not record it: the new password must work now
            try (Connection conn = PgConnections.open(admin)) {
                changed = false;
            } catch (SQLException again) {
                throw new SQLException("neither the password in Secret " + ClusterNames.superuserSecret(c)
                        + " nor the one last applied is accepted by the server", INVALID_PASSWORD, again);
            }
        }
        String password = new String(admin.password());
        client.secrets().inNamespace(ns).withName(ClusterNames.superuserAppliedSecret(c)).edit(s -> {
            s.getData().put("password", GeneratedSecrets.base64(password));
            return s;
        });
        return changed;
    }
}
