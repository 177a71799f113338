package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A larger spec.storage.size: refused by the API server while the volumes' StorageClass does not allow expansion (as
 * kube-apiserver's resize admission does), which status.storage and a Warning say, the cluster staying Ready; grown
 * once the class allows it.
 */
@QuarkusTest
class VolumeGrowthOperatorTest extends OperatorTestBase {

    @Test
    void volumesGrowWhereTheStorageClassAllowsItAndSayWhyNotWhereItDoesNot() {
        client.resource(new StorageClassBuilder().withNewMetadata().withName("vg-class").endMetadata()
                .withProvisioner("sandbox.shopdb.io/local").withAllowVolumeExpansion(false).build()).create();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: vg}
                spec:
                  instances: 1
                  storage: {size: 1Gi, storageClass: vg-class}
                """, PostgresCluster.class));
        awaitReady(PostgresCluster.class, "vg");
        assertEquals("1Gi", request());

        client.resources(PostgresCluster.class).inNamespace(ns()).withName("vg").edit(c -> { c.getSpec().getStorage().setSize("2Gi"); return c; });
        PostgresCluster refused = await(PostgresCluster.class, "vg", c -> c.getStatus().getStorage() != null && c.getStatus().getStorage().getProblem() != null);
        String problem = refused.getStatus().getStorage().getProblem();
        assertTrue(problem.startsWith("cannot grow data-vg-0 from 1Gi to 2Gi (StorageClass vg-class)") && problem.contains("must support resize"), problem);
        assertTrue(Conditions.isReady(refused.getStatus()), "the cluster goes on");
        assertEquals("1Gi", request());
        assertTrue(client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> "VolumeExpansionRefused".equals(e.getReason()) && "vg".equals(e.getRegarding().getName())));

        client.storage().v1().storageClasses().withName("vg-class").edit(sc -> { sc.setAllowVolumeExpansion(true); return sc; });
        await(PostgresCluster.class, "vg", c -> c.getStatus().getStorage() != null && c.getStatus().getStorage().getProblem() == null
                && "2Gi".equals(request()));
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("vg").delete();
    }

    private String request() {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns()).withName("data-vg-0").get();
        Quantity q = pvc.getSpec().getResources().getRequests().get("storage");
        return q.toString();
    }
}
