package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgradeStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an upgrade asks of its source and target, recorded in their status, and what the builders make of it. */
class MajorUpgradeLinksTest {

    private static PostgresCluster cluster(String name) {
        PostgresCluster c = Serialization.unmarshal("apiVersion: shopdb.io/v1alpha1\nkind: PostgresCluster\nmetadata: {name: " + name
                + ", namespace: shop}\nspec: {}", PostgresCluster.class);
        c.setStatus(new PostgresClusterStatus());
        return c;
    }

    private static PostgresMajorUpgrade upgrade(String cutoverAt) {
        PostgresMajorUpgrade u = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMajorUpgrade
                metadata: {name: up, namespace: shop}
                spec: {source: {name: shop-db}, target: {name: shop-db-16}}
                """, PostgresMajorUpgrade.class);
        u.setStatus(new PostgresMajorUpgradeStatus());
        u.getStatus().setCutoverAt(cutoverAt);
        return u;
    }

    @Test
    void theSourceDecodesLogicallyAndItsServicesMoveOnlyAtTheCutoverForGood() {
        PostgresCluster source = cluster("shop-db");
        assertFalse(PostgresParameters.decodesLogically(source));
        assertEquals("replica", PostgresParameters.forCluster(source).get("wal_level"));

        PostgresClusterStatus next = new PostgresClusterStatus();
        MajorUpgradeLinks.record(source, List.of(upgrade(null)), next);
        assertEquals("shop-db-16", next.getUpgradingTo());
        assertNull(next.getUpgradedTo(), "no cutover yet");
        source.setStatus(next);
        assertEquals("logical", PostgresParameters.forCluster(source).get("wal_level"));
        assertEquals(Map.of("shopdb.io/cluster", "shop-db", "shopdb.io/role", "primary"),
                io.shopdb.operator.access.ClusterServices.role(source, "shop-db-rw", "primary", next.getUpgradedTo()).getSpec().getSelector());

        MajorUpgradeLinks.record(source, List.of(upgrade("2026-12-06T22:00:00Z")), next);
        assertEquals("shop-db-16", next.getUpgradedTo());
        assertEquals(Map.of("shopdb.io/cluster", "shop-db-16", "shopdb.io/role", "primary"),
                io.shopdb.operator.access.ClusterServices.role(source, "shop-db-rw", "primary", next.getUpgradedTo()).getSpec().getSelector());

        MajorUpgradeLinks.record(source, List.of(), next); // the upgrade deleted
        assertEquals("shop-db-16", next.getUpgradedTo(), "the Services stay on the target");
        assertEquals("shop-db-16", next.getUpgradingTo(), "wal_level stays logical: no second restart");
        assertTrue(PostgresParameters.decodesLogically(source));
    }

    @Test
    void theTargetsCertificateNamesTheSourcesServices() {
        PostgresCluster target = cluster("shop-db-16");
        assertFalse(ClusterTls.serverNames(target).contains("shop-db-rw.shop.svc"));
        PostgresClusterStatus next = new PostgresClusterStatus();
        MajorUpgradeLinks.record(target, List.of(upgrade(null)), next);
        assertEquals("shop-db", next.getUpgradingFrom());
        assertNull(next.getUpgradingTo());
        target.setStatus(next);
        List<String> names = ClusterTls.serverNames(target);
        assertTrue(names.containsAll(List.of("shop-db-rw.shop.svc", "shop-db-ro.shop.svc", "shop-db-16-rw.shop.svc")), names.toString());
        assertFalse(PostgresParameters.decodesLogically(target), "the target publishes nothing");
    }
}
