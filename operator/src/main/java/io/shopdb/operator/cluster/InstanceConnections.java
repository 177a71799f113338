package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ReplicationQueries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The superuser connection to one instance by its pod name, through the headless Service: what failover
 * needs when the -rw Service has no endpoint (the primary is gone) and ClusterConnections cannot resolve it.
 */
@ApplicationScoped
public class InstanceConnections {
    private static final Logger LOG = Logger.getLogger(InstanceConnections.class);

    @Inject ServiceAddresses addresses;
    @Inject io.shopdb.operator.kube.SecretCaches secretCaches;

    /**
     * How long the failover path waits on one instance: connect, login and each read. A primary that does not answer
     * within it counts as down (a hung postmaster accepts TCP connections and never answers them).
     */
    static final int ANSWER_SECONDS = 1;

    /**
     * An open connection for work on one instance (a promotion, a checkpoint: reads may take a minute), or null when
     * it does not accept a login within {@link #ANSWER_SECONDS} (the caller treats it as down). TLS verified against
     * the cluster's CA and the pod's name, as every operator connection is.
     */
    public Connection open(PostgresCluster c, String pod) {
        return connect(c, pod, 60);
    }

    private Connection connect(PostgresCluster c, String pod, int readSeconds) {
        try {
            PgEndpoint endpoint = superuser(c, pod);
            return endpoint == null ? null : PgConnections.open(endpoint, ANSWER_SECONDS, readSeconds);
        } catch (SQLException | ServiceAddresses.NoEndpointException e) {
            LOG.debugf("instance %s does not answer: %s", pod, e.getMessage());
            return null;
        }
    }

    /**
     * The superuser's endpoint of one instance by its pod address, TLS verified against the cluster CA and the pod's
     * name; null while the Secrets are not there. Credentials come from the controllers' Secret caches (the probe asks
     * twice a second per cluster): no API request.
     */
    private PgEndpoint superuser(PostgresCluster c, String pod) {
        String ns = c.getMetadata().getNamespace();
        var secrets = secretCaches.lookup();
        char[] password = secrets.read(ns, ClusterNames.superuserSecret(c), "password");
        char[] ca = secrets.read(ns, ClusterTls.serverSecret(c), ClusterTlsSecrets.CA_CERT);
        if (password == null || ca == null) {
            return null;
        }
        String host = pod + "." + ClusterNames.headlessService(c);
        var a = addresses.resolve(ns, host, ClusterNames.PORT);
        return new PgEndpoint(a.host(), a.port(), "postgres", ClusterNames.SUPERUSER, password, "verify-full",
                ClusterTls.trust(new String(ca), c, host));
    }

    /**
     * What one probe of a primary found: whether it answered at all, and, when the probe renewed its lease
     * (PrimaryLease), the latest instant at which the renewal can have reached the server (null: none sent).
     */
    public record Probe(boolean answered, java.time.Instant leaseRenewedBy, Long walLsn) {
        Probe(boolean answered, java.time.Instant leaseRenewedBy) {
            this(answered, leaseRenewedBy, null);
        }
    }

    /**
     * Whether the instance answers at all within {@link #ANSWER_SECONDS}: a login refused (a password being rotated),
     * or any error the server itself sends, is an answer; only no answer (a timeout, a refused or dropped
     * connection) is not. What the primary probe counts: a server that says no is alive. A primary's lease is
     * renewed on the same login (PrimaryLease.renew).
     */
    public Probe probe(PostgresCluster c, String pod) {
        java.time.Instant renewedBy = null;
        try {
            PgEndpoint endpoint = superuser(c, pod);
            if (endpoint == null) {
                return new Probe(true, null); // nothing to judge by: not a reason to fail a primary over
            }
            try (Connection conn = PgConnections.open(endpoint, ANSWER_SECONDS, ANSWER_SECONDS)) {
                var position = ReplicationQueries.position(conn);
                if (position.inRecovery()) {
                    return new Probe(false, null);
                }
                // sent on a login that just succeeded: the server refuses it once the login is older than the window
                renewedBy = java.time.Instant.now().plus(PrimaryLease.RENEWAL_WINDOW);
                PrimaryLease.renew(conn);
                return new Probe(true, renewedBy, position.lsn());
            }
        } catch (ServiceAddresses.NoEndpointException e) {
            return new Probe(false, renewedBy);
        } catch (SQLException e) {
            String state = e.getSQLState();
            return new Probe(state != null && !state.startsWith("08"), renewedBy); // 08: connection exceptions, timeouts included
        }
    }

    /** Role and WAL position of an instance, or null when it does not answer. */
    public ReplicationQueries.Position position(PostgresCluster c, String pod) {
        try (Connection conn = connect(c, pod, ANSWER_SECONDS)) {
            return conn == null ? null : ReplicationQueries.position(conn);
        } catch (SQLException e) {
            LOG.debugf("position of %s not read: %s", pod, e.getMessage());
            return null;
        }
    }
}
