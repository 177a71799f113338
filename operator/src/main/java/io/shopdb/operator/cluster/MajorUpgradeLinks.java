package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;

import java.util.Collection;

/**
 * What the PostgresMajorUpgrades that name a cluster ask of it, recorded in its status so the pure builders see it:
 * a source decodes logically (wal_level logical) and admits the target's instances; after the cutover
 * (the upgrade's status.cutoverAt) its Services lead to the target, for good (status.upgradedTo stays when the upgrade
 * is deleted); a target's certificate names the source's Services, for good too (clients reach it by them).
 */
final class MajorUpgradeLinks {
    private MajorUpgradeLinks() {}

    static void record(PostgresCluster c, Collection<PostgresMajorUpgrade> upgrades, PostgresClusterStatus status) {
        String name = c.getMetadata().getName();
        String upgradingTo = null;
        for (PostgresMajorUpgrade u : upgrades) {
            if (u.getSpec() == null || u.getSpec().getSource() == null || u.getSpec().getTarget() == null) {
                continue;
            }
            if (name.equals(u.getSpec().getSource().getName())) {
                upgradingTo = u.getSpec().getTarget().getName();
                if (u.getStatus() != null && u.getStatus().getCutoverAt() != null) {
                    status.setUpgradedTo(upgradingTo);
                }
            } else if (name.equals(u.getSpec().getTarget().getName())) {
                status.setUpgradingFrom(u.getSpec().getSource().getName());
            }
        }
        status.setUpgradingTo(upgradingTo != null ? upgradingTo : status.getUpgradedTo());
    }

    /**
     * The cluster whose instances this one's -rw and -ro Services select: the one it was upgraded to, or, in the moment
     * between the upgrade moving the Services and its status saying so, the upgrade's target the -rw Service selects
     * already (never moved back). Null: its own.
     */
    static String servedBy(io.fabric8.kubernetes.client.KubernetesClient client, PostgresCluster c, PostgresClusterStatus status) {
        if (status.getUpgradedTo() != null || status.getUpgradingTo() == null) {
            return status.getUpgradedTo();
        }
        var rw = client.services().inNamespace(c.getMetadata().getNamespace()).withName(io.shopdb.operator.access.ClusterNames.writeService(c)).get();
        var selector = rw == null || rw.getSpec() == null ? null : rw.getSpec().getSelector();
        boolean moved = selector != null && status.getUpgradingTo().equals(selector.get(io.shopdb.operator.access.ClusterNames.CLUSTER_LABEL));
        return moved ? status.getUpgradingTo() : null;
    }
}
