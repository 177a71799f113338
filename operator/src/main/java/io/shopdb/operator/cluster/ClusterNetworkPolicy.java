package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.util.List;
import java.util.Map;

/**
 * The NetworkPolicy of a managed cluster (a pure builder): ingress to the instances on 5432 only from the
 * operator, the cluster's own instances (replication), this operator's agent Jobs in the namespace
 * (backups), the instances of its standby clusters (spec.standby of a cluster naming this one: they clone, stream and
 * rewind from it), and pods of namespaces with the client labels. Other ports of the pods get no ingress at all.
 * It is enforced by the network plugin (Calico, Cilium, ...); without one it is stored and does nothing.
 */
public final class ClusterNetworkPolicy {
    public static final Map<String, String> DEFAULT_CLIENT_LABELS = Map.of("shopdb.io/postgres-client", "true");
    static final String AGENT_NAME = "shopdb-agent";

    private ClusterNetworkPolicy() {}

    public static String name(PostgresCluster c) { return c.getMetadata().getName() + "-postgres"; }

    public static boolean enabled(PostgresCluster c, NetworkPolicyConfig config) {
        var spec = c.getSpec().getNetworkPolicy();
        return spec != null && spec.getEnabled() != null ? spec.getEnabled() : config.enabled();
    }

    /** Creates, updates or removes the policy as the cluster and the operator default say; true when it wrote. */
    public static boolean apply(io.fabric8.kubernetes.client.KubernetesClient client, PostgresCluster c, NetworkPolicyConfig config,
                                List<String> standbys) {
        NetworkPolicy desired = build(c, config, standbys);
        if (enabled(c, config)) {
            return io.shopdb.operator.kube.DesiredState.apply(client, c, desired) != io.shopdb.operator.kube.DesiredState.Result.NOOP;
        }
        return io.shopdb.operator.kube.DesiredState.absent(client, desired);
    }

    public static NetworkPolicy build(PostgresCluster c, NetworkPolicyConfig config) {
        return build(c, config, List.of());
    }

    /** {@code standbys}: the clusters of the namespace whose spec.standby.source is {@code c}. */
    public static NetworkPolicy build(PostgresCluster c, NetworkPolicyConfig config, List<String> standbys) {
        var spec = c.getSpec().getNetworkPolicy();
        Map<String, String> clients = spec != null && spec.getClientNamespaceLabels() != null && !spec.getClientNamespaceLabels().isEmpty()
                ? spec.getClientNamespaceLabels() : DEFAULT_CLIENT_LABELS;
        LabelSelector operatorNamespace = config.operatorNamespace()
                .map(ns -> new LabelSelectorBuilder().addToMatchLabels("kubernetes.io/metadata.name", ns).build())
                .orElse(new LabelSelector());
        List<NetworkPolicyPeer> from = List.of(
                new NetworkPolicyPeerBuilder().withNamespaceSelector(operatorNamespace)
                        .withNewPodSelector().addToMatchLabels("app.kubernetes.io/name", config.operatorName()).endPodSelector().build(),
                new NetworkPolicyPeerBuilder().withNewPodSelector().addToMatchLabels(ClusterNames.selector(c)).endPodSelector().build(),
                new NetworkPolicyPeerBuilder().withNewPodSelector().addToMatchLabels("app.kubernetes.io/name", AGENT_NAME)
                        .addToMatchLabels("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY).endPodSelector().build(),
                new NetworkPolicyPeerBuilder().withNewNamespaceSelector().addToMatchLabels(clients).endNamespaceSelector().build());
        from = new java.util.ArrayList<>(from);
        for (String standby : standbys) {
            from.add(new NetworkPolicyPeerBuilder().withNewPodSelector().addToMatchLabels(ClusterNames.CLUSTER_LABEL, standby)
                    .addToMatchLabels("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY).endPodSelector().build());
        }
        return new NetworkPolicyBuilder()
                .withMetadata(ClusterObjects.meta(c, name(c)))
                .withNewSpec()
                .withNewPodSelector().addToMatchLabels(ClusterNames.selector(c)).endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(ClusterNames.PORT)).endPort()
                .withFrom(from)
                .endIngress()
                .endSpec()
                .build();
    }
}
