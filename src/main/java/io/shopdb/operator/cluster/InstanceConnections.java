package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
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

    @Inject KubernetesClient client;
    @Inject ServiceAddresses addresses;

    /** An open connection, or null when the instance does not answer (the caller treats it as down). */
    public Connection open(PostgresCluster c, String pod) {
        char[] password = ClusterCredentials.read(client, c.getMetadata().getNamespace(), ClusterNames.superuserSecret(c), "password");
        if (password == null) {
            return null;
        }
        try {
            var a = addresses.resolve(c.getMetadata().getNamespace(), pod + "." + ClusterNames.headlessService(c), ClusterNames.PORT);
            return PgConnections.open(new PgEndpoint(a.host(), a.port(), "postgres", ClusterNames.SUPERUSER, password, "prefer"));
        } catch (SQLException | ServiceAddresses.NoEndpointException e) {
            LOG.debugf("instance %s does not answer: %s", pod, e.getMessage());
            return null;
        }
    }

    /** Role and WAL position of an instance, or null when it does not answer. */
    public ReplicationQueries.Position position(PostgresCluster c, String pod) {
        try (Connection conn = open(c, pod)) {
            return conn == null ? null : ReplicationQueries.position(conn);
        } catch (SQLException e) {
            LOG.debugf("position of %s not read: %s", pod, e.getMessage());
            return null;
        }
    }
}
