package io.shopdb.operator.pooler;

import io.shopdb.operator.access.PoolerNames;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.sql.PgBouncerConsole;
import io.shopdb.operator.tls.ClusterTlsSecrets;

/**
 * The console of one PgBouncer pod as the operator reaches it (PAUSE/RESUME, metrics): by the pod's own DNS name
 * under the headless Service {@code <pooler>-pods}, over TLS verified against the pooler's CA and that name.
 */
public final class PoolerConsoles {
    private PoolerConsoles() {}

    /** Null while the console password or the pooler's certificate Secret is not there yet. */
    public static PgBouncerConsole ofPod(SecretLookup secrets, ServiceAddresses addresses, PostgresPooler p, String pod, int timeoutSeconds) {
        String ns = p.getMetadata().getNamespace();
        char[] password = secrets.read(ns, PoolerObjects.adminSecret(p), "password");
        String caPem = GeneratedSecrets.value(secrets.get(ns, PoolerTls.secret(p)), ClusterTlsSecrets.CA_CERT);
        if (password == null || caPem == null) {
            return null;
        }
        var a = addresses.resolve(ns, pod + "." + PoolerObjects.podsService(p), PgBouncerConfig.PORT);
        return new PgBouncerConsole(a.host(), a.port(), PoolerNames.ADMIN_USER, password, timeoutSeconds, PoolerTls.podTrust(caPem, p, pod));
    }
}
