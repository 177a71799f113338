package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;

import java.util.Collection;

/**
 * What the PostgresMajorUpgrades that name a cluster ask of it, recorded in its status so the pure builders see it:
 * a source decodes logically (wal_level logical) and admits the target's instances; after the cutover
 * (the upgrade's status.cutoverAt) its Services lead to the target, for good (status.upgradedTo stays when the upgrade
 * is deleted); a target's certificate names the source's Services, for good too (clients reach it by them). A source
 * keeps wal_level logical after its upgrade is gone, too: no second restart, and never a logical slot left on a server
 * that would refuse to start with it below logical.
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
        if (upgradingTo != null) {
            status.setUpgradingTo(upgradingTo); // kept when the upgrade goes: wal_level stays logical (no second restart)
        }
    }
}
