package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.tls.ServerNames;

import java.time.Instant;
import java.util.List;

/**
 * The certificate PgBouncer serves to its clients, in the pooler's own kubernetes.io/tls Secret
 * {@code <pooler>-tls} (tls.crt, tls.key, ca.crt), issued and renewed by tls/ as the server certificate is,
 * by the cluster's CA: clients verify the pooler with the same ca.crt their connection Secret already gives
 * for the cluster. Its names are the pooler's Service in its four spellings and, as a wildcard, every pod
 * behind {@code <pooler>-pods} (the operator reaches each pod's console by that name). A certificate of its
 * own, not more names on the server's: the instances' key stays with the instances, and a pooler comes and
 * goes without a new server certificate and a reload of every instance. A renewed certificate changes the
 * configuration hash, so the pods roll onto it (PgBouncer reads its files at start).
 */
public final class PoolerTls {
    private PoolerTls() {}

    public static String secret(PostgresPooler p) {
        return p.getMetadata().getName() + "-tls";
    }

    public static List<String> names(PostgresPooler p) {
        return ServerNames.of(p.getMetadata().getNamespace(), List.of(PoolerObjects.serviceName(p)), PoolerObjects.podsService(p));
    }

    /** Reads the cluster's CA and the pooler's Secret from {@code secrets}; writes only to (re)issue. */
    static ClusterTlsSecrets.Result ensure(KubernetesClient client, SecretLookup secrets, PostgresPooler p, PostgresCluster cluster,
                                           Instant now) throws ClusterTlsSecrets.CaException {
        var issue = new ClusterTlsSecrets.Issue(p, PoolerObjects.labels(p), secret(p), names(p));
        return ClusterTlsSecrets.ensureIssued(client, ClusterTls.ca(secrets, cluster), issue,
                secrets.get(p.getMetadata().getNamespace(), secret(p)), now);
    }

    /** How the operator verifies one pod's console: the CA, and the pod's DNS name under the headless Service. */
    public static ServerTrust podTrust(String caPem, PostgresPooler p, String pod) {
        return new ServerTrust(caPem, pod + "." + PoolerObjects.podsService(p) + "." + p.getMetadata().getNamespace() + ".svc");
    }
}
