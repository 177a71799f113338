package io.shopdb.operator.access;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.util.HashMap;
import java.util.Map;

/**
 * The Services applications reach a managed cluster by: -rw (the primary) and -ro (the replicas). Here rather than
 * with the cluster's other objects because a major upgrade's cutover moves them too (to its target's instances).
 */
public final class ClusterServices {
    private ClusterServices() {}

    /** Whether {@code service} selects the instances of the cluster {@code cluster} (a moved -rw selects the upgrade's target). */
    public static boolean selects(Service service, String cluster) {
        var selector = service == null || service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector != null && cluster != null && cluster.equals(selector.get(ClusterNames.CLUSTER_LABEL));
    }

    /**
     * The Service {@code name} selecting the instances of {@code role}; {@code servedBy}: the cluster a major upgrade
     * moved this one to (status.upgradedTo), whose instances it then selects, so applications keep their address.
     */
    public static Service role(PostgresCluster c, String name, String role, String servedBy) {
        Map<String, String> selector = new HashMap<>(servedBy == null ? ClusterNames.selector(c) : Map.of(ClusterNames.CLUSTER_LABEL, servedBy));
        selector.put(ClusterNames.ROLE_LABEL, role);
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(c.getMetadata().getNamespace())
                        .withLabels(new HashMap<>(ClusterNames.labels(c))).build())
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .addNewPort().withName("postgres").withPort(ClusterNames.PORT).withTargetPort(new IntOrString(ClusterNames.PORT)).endPort()
                .endSpec()
                .build();
    }
}
