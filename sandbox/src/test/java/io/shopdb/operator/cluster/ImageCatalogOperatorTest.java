package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalog;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * spec.imageCatalogRef: the instances run the catalog's image for their major; a cluster whose catalog is missing
 * starts nothing and says why, and starts when the catalog appears; a new image in the catalog rolls the cluster.
 */
@QuarkusTest
class ImageCatalogOperatorTest extends OperatorTestBase {

    @Test
    void theInstancesRunTheCatalogsImageAndANewOneRollsThem() {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: ic}
                spec: {instances: 1, imageCatalogRef: {name: ic-images}}
                """, PostgresCluster.class));
        PostgresCluster waiting = awaitCondition(PostgresCluster.class, "ic", Conditions.RECONCILING, "WaitingForImageCatalog");
        assertEquals("PostgresImageCatalog ic-images (spec.imageCatalogRef) does not exist; no instance starts until it has",
                Conditions.find(waiting.getStatus(), Conditions.RECONCILING).getMessage());
        assertNull(client.apps().statefulSets().inNamespace(ns()).withName("ic").get(), "no pod on a guessed image");

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresImageCatalog
                metadata: {name: ic-images}
                spec:
                  images:
                    - {major: "15", image: "postgres:15-shop-a"}
                    - {major: "16", image: "postgres:16-shop-a"}
                """, PostgresImageCatalog.class));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "ic");
        assertEquals("postgres:15-shop-a", ready.getStatus().getCatalogImage());
        assertEquals("postgres:15-shop-a", client.apps().statefulSets().inNamespace(ns()).withName("ic").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        await(PostgresCluster.class, "ic", c -> c.getStatus().getInstanceImages().stream().anyMatch(i -> "postgres:15-shop-a".equals(i.getImage())));

        client.resources(PostgresImageCatalog.class).inNamespace(ns()).withName("ic-images").edit(k -> {
            k.getSpec().getImages().get(0).setImage("postgres:15-shop-b");
            return k;
        });
        PostgresCluster rolled = await(PostgresCluster.class, "ic", c -> Conditions.isReady(c.getStatus())
                && c.getStatus().getInstanceImages().stream().allMatch(i -> "postgres:15-shop-b".equals(i.getImage())));
        assertEquals("postgres:15-shop-b", rolled.getStatus().getCatalogImage());
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("ic").delete();
    }
}
