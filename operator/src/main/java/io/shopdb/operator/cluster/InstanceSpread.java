package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.shopdb.operator.api.v1alpha1.AffinitySpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

/**
 * Pod anti-affinity on the cluster label, so that losing one node (or zone) takes at most one instance:
 * preferred by default (a small cluster with fewer nodes than instances still schedules), required or
 * none on request (spec.affinity).
 */
final class InstanceSpread {
    private InstanceSpread() {}

    static Affinity affinity(PostgresCluster c) {
        AffinitySpec spec = c.getSpec().getAffinity() != null ? c.getSpec().getAffinity() : new AffinitySpec();
        AffinitySpec.PodAntiAffinityType type = spec.getPodAntiAffinityType() == null
                ? AffinitySpec.PodAntiAffinityType.preferred : spec.getPodAntiAffinityType();
        if (type == AffinitySpec.PodAntiAffinityType.none) {
            return null;
        }
        PodAffinityTerm term = new PodAffinityTermBuilder()
                .withNewLabelSelector().withMatchLabels(ClusterNames.selector(c)).endLabelSelector()
                .withTopologyKey(spec.getTopologyKey() == null ? "kubernetes.io/hostname" : spec.getTopologyKey())
                .build();
        var anti = new AffinityBuilder().withNewPodAntiAffinity();
        if (type == AffinitySpec.PodAntiAffinityType.required) {
            anti.withRequiredDuringSchedulingIgnoredDuringExecution(term);
        } else {
            anti.addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100).withPodAffinityTerm(term)
                    .endPreferredDuringSchedulingIgnoredDuringExecution();
        }
        return anti.endPodAntiAffinity().build();
    }
}
