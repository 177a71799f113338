package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.NetworkPolicySpec;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterNetworkPolicyTest {
    static NetworkPolicyConfig config(boolean enabled, String operatorNamespace) {
        return new NetworkPolicyConfig() {
            public boolean enabled() { return enabled; }
            public Optional<String> operatorNamespace() { return Optional.ofNullable(operatorNamespace); }
            public String operatorName() { return "shopdb-operator"; }
        };
    }

    @Test
    void onlyTheOperatorTheInstancesAgentsAndClientNamespacesReach5432() {
        var c = InstanceSetBuilderTest.cluster(2, Map.of());
        var policy = ClusterNetworkPolicy.build(c, config(true, "shopdb-system"));
        assertEquals("shop-postgres", policy.getMetadata().getName());
        assertEquals(Map.of("shopdb.io/cluster", "shop"), policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(java.util.List.of("Ingress"), policy.getSpec().getPolicyTypes());
        var ingress = policy.getSpec().getIngress();
        assertEquals(1, ingress.size(), "one rule: nothing else reaches any port");
        assertEquals(5432, ingress.get(0).getPorts().get(0).getPort().getIntVal());
        var from = ingress.get(0).getFrom();
        assertEquals(4, from.size());
        assertEquals(Map.of("kubernetes.io/metadata.name", "shopdb-system"), from.get(0).getNamespaceSelector().getMatchLabels());
        assertEquals(Map.of("app.kubernetes.io/name", "shopdb-operator"), from.get(0).getPodSelector().getMatchLabels());
        assertEquals(Map.of("shopdb.io/cluster", "shop"), from.get(1).getPodSelector().getMatchLabels());
        assertEquals("shopdb-agent", from.get(2).getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
        assertEquals(ClusterNetworkPolicy.DEFAULT_CLIENT_LABELS, from.get(3).getNamespaceSelector().getMatchLabels());
    }

    @Test
    void theClusterSettingWinsOverTheOperatorDefault() {
        var c = InstanceSetBuilderTest.cluster(1, Map.of());
        assertFalse(ClusterNetworkPolicy.enabled(c, config(false, null)));
        assertTrue(ClusterNetworkPolicy.enabled(c, config(true, null)));
        var spec = new NetworkPolicySpec();
        spec.setEnabled(false);
        spec.setClientNamespaceLabels(Map.of("team", "shop"));
        c.getSpec().setNetworkPolicy(spec);
        assertFalse(ClusterNetworkPolicy.enabled(c, config(true, null)));
        var policy = ClusterNetworkPolicy.build(c, config(true, null));
        assertEquals(Map.of("team", "shop"), policy.getSpec().getIngress().get(0).getFrom().get(3).getNamespaceSelector().getMatchLabels());
        assertTrue(policy.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector().getMatchLabels() == null
                || policy.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector().getMatchLabels().isEmpty(),
                "operator pods in any namespace when the operator's namespace is not known");
    }
}
