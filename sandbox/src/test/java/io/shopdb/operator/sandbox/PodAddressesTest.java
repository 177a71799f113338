package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox's rule for a host a pod dials (LocalKubelet.outsideTheCluster): Services and pod DNS names go through
 * the sandbox's Service proxies; a name cluster DNS cannot answer (an IP address, a name whose Service part has a dot)
 * is an external server, dialled as written, as from a pod in a cluster.
 */
class PodAddressesTest {
    @Test
    void servicesAndPodsAreInsideAddressesAndNamesOutsideTheClusterAreDialledAsWritten() {
        for (String inside : new String[] {"shop-db-rw", "shop-db-rw.shop.svc", "shop-db-rw.shop.svc.cluster.local",
                "shop-db-0.shop-db-headless", "shop-db-0.shop-db-headless.shop.svc"}) {
            assertFalse(LocalKubelet.outsideTheCluster("shop", inside), inside);
        }
        for (String outside : new String[] {"127.0.0.1", "10.0.4.17", "legacy-db.example.com", "shop.abc123.eu-west-1.rds.amazonaws.com", "::1"}) {
            assertTrue(LocalKubelet.outsideTheCluster("shop", outside), outside);
        }
    }
}
