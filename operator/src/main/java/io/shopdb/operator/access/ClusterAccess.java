package io.shopdb.operator.access;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.shopdb.operator.sql.SqlStep;

import javax.sql.DataSource;
import java.util.List;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What every controller that works inside a cluster does first: find the referenced PostgresCluster, wait
 * until it is Ready, and get the admin endpoint. A missing or unready cluster is a reason to wait
 * (Reconciling), not an error: with GitOps the cluster often arrives after the resources that use it.
 * Controllers with a PostgresCluster event source ({@link ClusterEvents}) pass the cached cluster and are
 * woken by its Ready change, so that wait needs no timer ({@link WaitingException#eventDriven()}).
 */
@ApplicationScoped
public class ClusterAccess {

    public static class WaitingException extends Exception {
        private final String reason;
        private final boolean eventDriven;
        public WaitingException(String reason, String message) {
            this(reason, message, false);
        }
        public WaitingException(String reason, String message, boolean eventDriven) {
            super(message);
            this.reason = reason;
            this.eventDriven = eventDriven;
        }
        public String reason() { return reason; }
        /** An event (the cluster appears or turns Ready) ends this wait; no timer is needed. */
        public boolean eventDriven() { return eventDriven; }
        /** The wait as a reconcile reports it: on the event when one will come, else re-checked with backoff. */
        public Outcome outcome() {
            return Outcome.waiting(eventDriven, reason, getMessage());
        }
    }

    /** A Ready cluster, its admin endpoint, and pooled connections to it. */
    public record Target(PostgresCluster cluster, PgEndpoint admin, ClusterConnections connections) {
        /** A pooled admin connection to the maintenance database. */
        public Connection open() throws SQLException {
            return connections.open(cluster, admin);
        }

        /** A pooled admin connection to {@code database}. */
        public Connection open(String database) throws SQLException {
            return connections.open(cluster, admin.withDatabase(database));
        }

        /** Ends the operator's own sessions on {@code database} (before dropping it). */
        public void closePool(String database) {
            connections.pools().closeDatabase(ClusterConnections.key(cluster), database);
        }

        public DataSource dataSource(String database) {
            return connections.dataSource(cluster, admin.withDatabase(database));
        }

        /** Runs {@code work} in turn with other catalog work on {@code database} of this cluster (see CatalogLocks). */
        public <T> T inTurn(String database, java.util.function.Supplier<T> work) {
            return connections.catalogLocks().inTurn(ClusterConnections.key(cluster), database, work);
        }

        /**
         * Applies a plan of transactional steps on {@code database} in turn with other catalog DDL, in one transaction
         * with the plans other resources queued meanwhile (GroupedPlans); returns what it applied.
         */
        public List<String> applyGrouped(String database, List<SqlStep> plan) throws SQLException {
            return connections.groupedPlans().apply(ClusterConnections.key(cluster), database, plan, () -> open(database));
        }

        /** Runs {@code work} in turn with other DDL on the shared catalog rows of {@code database}, retrying conflicts. */
        public <T> T changingCatalog(String database, SqlErrors.Work<T> work) throws SQLException {
            return connections.catalogLocks().withLock(ClusterConnections.key(cluster), database, () -> SqlErrors.retryingConflicts(work));
        }
    }

    @Inject KubernetesClient client;
    @Inject ClusterConnections connections;

    /** Reads the cluster and its Secret from the API server: for controllers without those event sources. */
    public Target readyCluster(String namespace, String clusterName) throws WaitingException {
        PostgresCluster cluster = client.resources(PostgresCluster.class).inNamespace(namespace).withName(clusterName).get();
        return ready(cluster, clusterName, null, false);
    }

    /** {@code cluster} as an informer holds it (null when it does not exist); Secrets through {@code secrets} (null: the shared caches). */
    public Target ready(PostgresCluster cluster, String clusterName, SecretLookup secrets) throws WaitingException {
        return ready(cluster, clusterName, secrets, true);
    }

    private Target ready(PostgresCluster cluster, String clusterName, SecretLookup secrets, boolean woken) throws WaitingException {
        if (cluster == null) {
            throw new WaitingException("WaitingForCluster", "PostgresCluster " + clusterName + " (spec.clusterRef) does not exist yet", woken);
        }
        String upgradedTo = cluster.getStatus() == null ? null : cluster.getStatus().getUpgradedTo();
        if (upgradedTo != null) {
            // a major upgrade moved the cluster: what names it acts on the new one (a GET: few dependents, once per reconcile)
            PostgresCluster target = client.resources(PostgresCluster.class).inNamespace(cluster.getMetadata().getNamespace()).withName(upgradedTo).get();
            if (target == null) {
                throw new WaitingException("WaitingForCluster", "PostgresCluster " + clusterName + " was upgraded to " + upgradedTo
                        + " (status.upgradedTo), which does not exist");
            }
            return ready(target, upgradedTo, null, false);
        }
        if (cluster.getSpec() != null && cluster.getSpec().isHibernating()) {
            throw new WaitingException(Reasons.CLUSTER_HIBERNATED, "PostgresCluster " + clusterName
                    + " is hibernated (spec.hibernate): no instance runs until it wakes", woken);
        }
        boolean promoting = cluster.getStatus() != null && cluster.getStatus().getStandby() != null
                && cluster.getStatus().getStandby().getPromotedAt() == null;
        if (cluster.getSpec() != null && (cluster.getSpec().followsSource() || promoting)) {
            String source = cluster.getSpec().getStandby() != null ? cluster.getSpec().getStandby().getSource().getName()
                    : cluster.getStatus().getStandby().getSource();
            throw new WaitingException(Reasons.CLUSTER_IS_STANDBY, "PostgresCluster " + clusterName + " is a standby of "
                    + source + " (spec.standby): read-only, its data comes from the source; this applies once it is promoted", woken);
        }
        if (!Conditions.isReady(cluster.getStatus())) {
            throw new WaitingException("WaitingForCluster", "PostgresCluster " + clusterName + " is not Ready yet", woken);
        }
        try {
            return new Target(cluster, secrets == null ? connections.admin(cluster) : connections.admin(cluster, secrets), connections);
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
