package io.shopdb.operator.access;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.SecretKeyReference;
import io.shopdb.operator.kube.SecretCaches;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.runtime.OperatorKilled;
import io.shopdb.operator.sql.CatalogLocks;
import io.shopdb.operator.sql.GroupedPlans;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.PgPools;
import io.shopdb.operator.sql.ServerTrust;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * How the operator reaches a cluster as its administrator: the -rw Service and the superuser Secret of a
 * managed cluster, or the address and admin Secret of an external one. Every controller that runs SQL on a
 * cluster gets its endpoint here, and its connections from the cluster's pools ({@link PgPools}): one small
 * pool per cluster and database, replaced when the endpoint changes (a rotated Secret), closed when the
 * cluster is gone ({@link #retain}).
 */
@ApplicationScoped
public class ClusterConnections {

    /** The cluster cannot be reached yet for a reason a person may need to see (e.g. a missing Secret). */
    public static class NotReachableException extends Exception {
        public NotReachableException(String message) { super(message); }
    }

    @Inject KubernetesClient client;
    @Inject ServiceAddresses addresses;
    @Inject ShopdbConfig config;
    @Inject SecretCaches secretCaches;

    private PgPools pools;
    private final CatalogLocks catalogLocks = new CatalogLocks();
    private final GroupedPlans groupedPlans = new GroupedPlans(catalogLocks);

    @PostConstruct
    void init() {
        var p = config.pool();
        pools = new PgPools(new PgPools.Settings(p.maxSize(), p.idleTimeout(), p.maxLifetime(), p.connectionTimeout()));
    }

    void stop(@Observes ShutdownEvent event) {
        pools.close();
    }

    /** A killed operator's connections die with it. */
    void forget(@Observes OperatorKilled killed) {
        pools.abandonAll();
        io.shopdb.operator.sql.OwnerSession.abortAll();
    }

    /** The admin endpoint, its Secret read from the controllers' Secret caches ({@link SecretCaches}). */
    public PgEndpoint admin(PostgresCluster c) throws NotReachableException {
        return admin(c, (namespace, name) -> secretCaches.lookup().get(namespace, name));
    }

    public PgEndpoint admin(PostgresCluster c, SecretLookup secrets) throws NotReachableException {
        String ns = c.getMetadata().getNamespace();
        if (c.getSpec().isExternal()) {
            ExternalServerSpec ext = c.getSpec().getExternal();
            SecretKeyReference ref = ext.getAdminSecretRef();
            String userKey = ref.getUsernameKey() != null ? ref.getUsernameKey() : "username";
            String passKey = ref.getPasswordKey() != null ? ref.getPasswordKey() : "password";
            var secret = secrets.get(ns, ref.getName());
            char[] user = SecretLookup.value(secret, userKey);
            char[] password = SecretLookup.value(secret, passKey);
            if (user == null || password == null) {
                throw new NotReachableException("Secret " + ref.getName() + " with keys " + userKey + " and " + passKey
                        + " (spec.external.adminSecretRef) was not found");
            }
            String sslMode = ExternalTls.sslMode(ext);
            ServerTrust trust = null;
            if (ext.getCaSecretName() != null) {
                char[] ca = secrets.read(ns, ext.getCaSecretName(), "ca.crt");
                if (ca == null) {
                    throw new NotReachableException("Secret " + ext.getCaSecretName() + " with key ca.crt (spec.external.caSecretName) was not found");
                }
                trust = new ServerTrust(new String(ca), ext.getHost());
            }
            return new PgEndpoint(ext.getHost(), ext.getPort(), ext.getDatabase(), new String(user), password, sslMode, trust);
        }
        char[] password = secrets.read(ns, ClusterNames.superuserSecret(c), "password");
        if (password == null) {
            throw new NotReachableException("Secret " + ClusterNames.superuserSecret(c) + " was not found");
        }
        String host = ownPrimary(c);
        var address = resolve(ns, host);
        return new PgEndpoint(address.host(), address.port(), "postgres", ClusterNames.SUPERUSER, password, "verify-full",
                ClusterTls.trust(caPem(c, secrets), c, host));
    }

    /**
     * The -rw Service; for a cluster a major upgrade moved (status.upgradedTo), whose -rw leads to the new cluster, its
     * own primary by pod name: its reconciler still looks after its own (read-only) instances.
     */
    private static String ownPrimary(PostgresCluster c) {
        var status = c.getStatus();
        if (status != null && status.getUpgradedTo() != null && status.getCurrentPrimary() != null) {
            return status.getCurrentPrimary() + "." + ClusterNames.headlessService(c);
        }
        return ClusterNames.writeService(c);
    }

    /** The CA the cluster's servers present a certificate of; the operator trusts nothing else for them. */
    private String caPem(PostgresCluster c, SecretLookup secrets) throws NotReachableException {
        char[] ca = secrets.read(c.getMetadata().getNamespace(), ClusterTls.serverSecret(c), io.shopdb.operator.tls.ClusterTlsSecrets.CA_CERT);
        if (ca == null) {
            throw new NotReachableException("Secret " + ClusterTls.serverSecret(c) + " with the cluster's CA (ca.crt) was not found");
        }
        return new String(ca);
    }

    /** The same superuser, but dialing one pod directly (for per-instance work such as reloading config). */
    public PgEndpoint instance(PostgresCluster c, int ordinal) throws NotReachableException {
        return via(c, ClusterNames.pod(c, ordinal) + "." + ClusterNames.headlessService(c));
    }

    /**
     * The same superuser, dialing the current primary's pod (status.currentPrimary) rather than -rw: what must reach this
     * cluster's own primary whatever its Services lead to (a major upgrade moves them).
     */
    public PgEndpoint primaryPod(PostgresCluster c) throws NotReachableException {
        String primary = c.getStatus() == null ? null : c.getStatus().getCurrentPrimary();
        if (primary == null) {
            throw new NotReachableException("PostgresCluster " + c.getMetadata().getName() + " has no current primary yet");
        }
        return via(c, primary + "." + ClusterNames.headlessService(c));
    }

    /** The same superuser's address and trust through the -ro Service: a replica, for reads that must not load the primary. */
    public PgEndpoint replica(PostgresCluster c) throws NotReachableException {
        return via(c, ClusterNames.readService(c));
    }

    private PgEndpoint via(PostgresCluster c, String host) throws NotReachableException {
        PgEndpoint primary = admin(c);
        var address = resolve(c.getMetadata().getNamespace(), host);
        return new PgEndpoint(address.host(), address.port(), primary.database(), primary.user(), primary.password(), primary.sslMode(),
                primary.trust() == null ? null : ClusterTls.trust(primary.trust().caPem(), c, host));
    }

    /** A pooled connection to {@code endpoint} (the admin endpoint of {@code c}, on some database); close it to return it. */
    public Connection open(PostgresCluster c, PgEndpoint endpoint) throws SQLException {
        return pools.open(key(c), endpoint);
    }

    /** The pool itself, for Flyway. */
    public DataSource dataSource(PostgresCluster c, PgEndpoint endpoint) {
        return pools.dataSource(key(c), endpoint);
    }

    /** Runs catalog-changing DDL of one database of one cluster in turn with the other controllers' (see CatalogLocks). */
    public CatalogLocks catalogLocks() {
        return catalogLocks;
    }

    /** Plans of many resources on one database applied together (see GroupedPlans). */
    public GroupedPlans groupedPlans() {
        return groupedPlans;
    }

    /** Retires the pools of clusters that are gone (namespace/name keys, see {@link #key}); work in flight finishes. */
    public void retire(Set<String> gone) {
        pools.retireOwners(gone);
    }

    public PgPools pools() {
        return pools;
    }

    public static String key(PostgresCluster c) {
        return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
    }

    private ServiceAddresses.Address resolve(String namespace, String host) throws NotReachableException {
        try {
            return addresses.resolve(namespace, host, ClusterNames.PORT);
        } catch (ServiceAddresses.NoEndpointException e) {
            throw new NotReachableException(e.getMessage());
        }
    }
}
