package io.shopdb.operator.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** The operator-wide NetworkPolicy default and how the policies recognise the operator (env SHOPDB_NETWORK_POLICY_*). */
@ConfigMapping(prefix = "shopdb.network-policy")
public interface NetworkPolicyConfig {
    /** Whether clusters get a NetworkPolicy when spec.networkPolicy.enabled is omitted (Helm: networkPolicy.enabled). */
    @WithDefault("false")
    boolean enabled();

    /** Namespace of the operator's pods (the chart passes its own); omitted: operator pods in any namespace. */
    Optional<String> operatorNamespace();

    /** Value of app.kubernetes.io/name on the operator's pods (the chart's name). */
    @WithDefault("shopdb-operator")
    String operatorName();
}
