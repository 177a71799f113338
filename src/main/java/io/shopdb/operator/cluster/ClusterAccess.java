package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What every controller that works inside a cluster does first: find the referenced PostgresCluster, wait
 * until it is Ready, and get the admin endpoint. A missing or unready cluster is a reason to wait
 * (Reconciling), not an error: with GitOps the cluster often arrives after the resources that use it.
 */
@ApplicationScoped
public class ClusterAccess {

    public static class WaitingException extends Exception {
        private final String reason;
        public WaitingException(String reason, String message) {
            super(message);
            this.reason = reason;
        }
        public String reason() { return reason; }
    }

    public record Target(PostgresCluster cluster, PgEndpoint admin) {}

    @Inject KubernetesClient client;
    @Inject ClusterConnections connections;

    public Target readyCluster(String namespace, String clusterName) throws WaitingException {
        PostgresCluster cluster = client.resources(PostgresCluster.class).inNamespace(namespace).withName(clusterName).get();
        if (cluster == null) {
            throw new WaitingException("WaitingForCluster", "PostgresCluster " + clusterName + " (spec.clusterRef) does not exist yet");
        }
        if (!Conditions.isReady(cluster.getStatus())) {
            throw new WaitingException("WaitingForCluster", "PostgresCluster " + clusterName + " is not Ready yet");
        }
        try {
            return new Target(cluster, connections.admin(cluster));
        } catch (ClusterConnections.NotReachableException e) {
            throw new WaitingException("WaitingForCluster", e.getMessage());
        }
    }

    /** host and port applications use for the cluster: the -rw Service, or the external server. */
    public static String[] publicAddress(PostgresCluster c) {
        if (c.getSpec().isExternal()) {
            return new String[]{c.getSpec().getExternal().getHost(), String.valueOf(c.getSpec().getExternal().getPort())};
        }
        return new String[]{ClusterNames.writeService(c) + "." + c.getMetadata().getNamespace() + ".svc", String.valueOf(ClusterNames.PORT)};
    }
}
