package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.SecretKeyReference;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * How the operator reaches a cluster as its administrator: the -rw Service and the superuser Secret of a
 * managed cluster, or the address and admin Secret of an external one. Every controller that runs SQL on a
 * cluster gets its endpoint here.
 */
@ApplicationScoped
public class ClusterConnections {

    /** The cluster cannot be reached yet for a reason a person may need to see (e.g. a missing Secret). */
    public static class NotReachableException extends Exception {
        public NotReachableException(String message) { super(message); }
    }

    @Inject KubernetesClient client;
    @Inject ServiceAddresses addresses;

    public PgEndpoint admin(PostgresCluster c) throws NotReachableException {
        String ns = c.getMetadata().getNamespace();
        if (c.getSpec().isExternal()) {
            ExternalServerSpec ext = c.getSpec().getExternal();
            SecretKeyReference ref = ext.getAdminSecretRef();
            String userKey = ref.getUsernameKey() != null ? ref.getUsernameKey() : "username";
            String passKey = ref.getPasswordKey() != null ? ref.getPasswordKey() : "password";
            char[] user = ClusterCredentials.read(client, ns, ref.getName(), userKey);
            char[] password = ClusterCredentials.read(client, ns, ref.getName(), passKey);
            if (user == null || password == null) {
                throw new NotReachableException("Secret " + ref.getName() + " with keys " + userKey + " and " + passKey
                        + " (spec.external.adminSecretRef) was not found");
            }
            String sslMode = ExternalTls.sslMode(ext);
            ServerTrust trust = null;
            if (ext.getCaSecretName() != null) {
                char[] ca = ClusterCredentials.read(client, ns, ext.getCaSecretName(), "ca.crt");
                if (ca == null) {
                    throw new NotReachableException("Secret " + ext.getCaSecretName() + " with key ca.crt (spec.external.caSecretName) was not found");
                }
                trust = new ServerTrust(new String(ca), ext.getHost());
            }
            return new PgEndpoint(ext.getHost(), ext.getPort(), ext.getDatabase(), new String(user), password, sslMode, trust);
        }
        char[] password = ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(c), "password");
        if (password == null) {
            throw new NotReachableException("Secret " + ClusterNames.superuserSecret(c) + " was not found");
        }
        var address = resolve(ns, ClusterNames.writeService(c));
        return new PgEndpoint(address.host(), address.port(), "postgres", ClusterNames.SUPERUSER, password, "verify-full",
                ClusterTls.trust(caPem(c), c, ClusterNames.writeService(c)));
    }

    /** The CA the cluster's servers present a certificate of; the operator trusts nothing else for them. */
    private String caPem(PostgresCluster c) throws NotReachableException {
        String ca = ClusterTls.caPem(client, c);
        if (ca == null) {
            throw new NotReachableException("Secret " + ClusterTls.serverSecret(c) + " with the cluster's CA (ca.crt) was not found");
        }
        return ca;
    }

    /** The same superuser, but dialing one pod directly (for per-instance work such as reloading config). */
    public PgEndpoint instance(PostgresCluster c, int ordinal) throws NotReachableException {
        PgEndpoint primary = admin(c);
        String pod = ClusterNames.pod(c, ordinal) + "." + ClusterNames.headlessService(c);
        var address = resolve(c.getMetadata().getNamespace(), pod);
        return new PgEndpoint(address.host(), address.port(), primary.database(), primary.user(), primary.password(), primary.sslMode(),
                primary.trust() == null ? null : ClusterTls.trust(primary.trust().caPem(), c, pod));
    }

    private ServiceAddresses.Address resolve(String namespace, String host) throws NotReachableException {
        try {
            return addresses.resolve(namespace, host, ClusterNames.PORT);
        } catch (ServiceAddresses.NoEndpointException e) {
            throw new NotReachableException(e.getMessage());
        }
    }
}
