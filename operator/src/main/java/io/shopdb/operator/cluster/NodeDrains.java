package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.quarkus.runtime.ShutdownEvent;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Planned disruptions of a primary's node. `kubectl drain` cordons the node (spec.unschedulable) and then evicts its
 * pods; the primary's PodDisruptionBudget (ClusterObjects.primaryDisruptionBudget, minAvailable 1) refuses to evict
 * the primary, so the drain waits, and the operator, told of the cordon by this Node informer, switches over to a
 * replica on another node (HighAvailability). The former primary is then a replica the drain may evict. A planned
 * disruption so becomes a switchover (no acknowledged commit lost, a pause of about a second) instead of a failover.
 *
 * <p>Nodes are read from a cache (one informer of all Nodes, started on first use). Without permission to watch
 * Nodes (a narrower ClusterRole than the chart's), the informer fails, a warning says so, and drains fall back to the
 * budget alone: the drain blocks until someone moves the primary (spec.primary).
 */
@ApplicationScoped
public class NodeDrains {
    private static final Logger LOG = Logger.getLogger(NodeDrains.class);

    @Inject KubernetesClient client;

    /** Clusters by the node their primary runs on, as the last reconcile of each saw it. */
    private final Map<String, Set<ResourceID>> primariesByNode = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<Node> nodes;
    /** Nodes could not be watched (no permission): not tried again on every reconcile, said once. */
    private volatile boolean unavailable;
    private volatile SimpleInboundEventSource<PostgresCluster> wakeups;

    /** The event source of the running operator instance: a cordon wakes the clusters whose primary is on that node. */
    public SimpleInboundEventSource<PostgresCluster> eventSource() {
        wakeups = new SimpleInboundEventSource<>();
        return wakeups;
    }

    /** Whether the node is cordoned (unschedulable: being drained or under maintenance). */
    public boolean cordoned(String node) {
        if (node == null) {
            return false;
        }
        SharedIndexInformer<Node> informer = informer();
        Node n = informer == null ? null : informer.getStore().getByKey(node);
        return n != null && n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
    }

    /** Remembers where the primary of {@code c} runs, so a cordon of that node wakes it. */
    public void primaryOn(PostgresCluster c, String node) {
        ResourceID id = ResourceID.fromResource(c);
        primariesByNode.values().forEach(ids -> ids.remove(id));
        if (node != null) {
            primariesByNode.computeIfAbsent(node, k -> ConcurrentHashMap.newKeySet()).add(id);
        }
    }

    private synchronized SharedIndexInformer<Node> informer() {
        if (nodes == null && !unavailable) {
            try {
                nodes = client.nodes().inform(new ResourceEventHandler<>() {
                    @Override public void onAdd(Node n) { wake(n); }
                    @Override public void onUpdate(Node before, Node now) {
                        if (!Objects.equals(unschedulable(before), unschedulable(now))) {
                            wake(now);
                        }
                    }
                    @Override public void onDelete(Node n, boolean unknown) { }
                }, 0);
            } catch (RuntimeException e) {
                unavailable = true;
                LOG.warnf("Nodes cannot be watched (%s): a drain of a primary's node is not turned into a switchover", e.getMessage());
                return null;
            }
        }
        return nodes;
    }

    private static Boolean unschedulable(Node n) {
        return n.getSpec() == null ? null : n.getSpec().getUnschedulable();
    }

    private void wake(Node n) {
        SimpleInboundEventSource<PostgresCluster> source = wakeups;
        Set<ResourceID> ids = primariesByNode.get(n.getMetadata().getName());
        if (source != null && ids != null && Boolean.TRUE.equals(unschedulable(n))) {
            ids.forEach(source::propagateEvent);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (nodes != null) {
            nodes.close();
        }
    }
}
