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

    /**
     * Volumes with a real size (the sandbox's tmpfs class): one that fills up fails writes as a full disk does
     * (SQLSTATE 53100, "No space left on device"); with spec.storage.autoGrow the operator grows it before that, by
     * step, and the larger filesystem takes what the smaller one could not.
     */
    @Test
    void aVolumeThatFillsUpFailsWritesAndAutoGrowGrowsItFirst() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.shopdb.operator.sandbox.LocalPostgres.runningAsRoot(), "sized volumes mount a tmpfs: root only");
        client.resource(new StorageClassBuilder().withNewMetadata().withName("sized").endMetadata()
                .withProvisioner("sandbox.shopdb.io/tmpfs").withAllowVolumeExpansion(true).build()).create();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: full}
                spec:
                  instances: 1
                  storage: {size: 100Mi, storageClass: sized}
                """, PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: grows}
                spec:
                  instances: 1
                  storage: {size: 100Mi, storageClass: sized, autoGrow: {threshold: 60, step: 100Mi, maximum: 300Mi}}
                """, PostgresCluster.class));
        awaitReady(PostgresCluster.class, "full");
        awaitReady(PostgresCluster.class, "grows");

        // unlogged: the rows fill the data files, not WAL (a full pg_wal would stop the server, not the statement)
        java.sql.SQLException full = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                () -> sqlOn("full", "CREATE UNLOGGED TABLE filler (note text)", "INSERT INTO filler SELECT repeat(md5(i::text), 32) FROM generate_series(1, 100000) i"));
        assertEquals("53100", full.getSQLState(), full.getMessage());
        assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());

        sqlOn("grows", "CREATE UNLOGGED TABLE filler (note text)", "INSERT INTO filler SELECT repeat(md5(i::text), 32) FROM generate_series(1, 30000) i");
        PostgresCluster grown = await(PostgresCluster.class, "grows", c -> c.getStatus().getStorage() != null
                && "200Mi".equals(c.getStatus().getStorage().getSize()));
        assertEquals("100Mi", grown.getSpec().getStorage().getSize(), "the spec stays as written: no drift for a GitOps tool");
        assertTrue(grown.getStatus().getStorage().getUsedBytes() >= 100L * 1024 * 1024 * 60 / 100,
                "it grew at 60% of 100Mi used: " + grown.getStatus().getStorage().getUsedBytes());
        await(PostgresCluster.class, "grows", c -> "200Mi".equals(request("data-grows-0")) && capacity("data-grows-0") == 200L * 1024 * 1024);
        assertTrue(client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> "VolumeGrown".equals(e.getReason()) && "grows".equals(e.getRegarding().getName())));
        sqlOn("grows", "INSERT INTO filler SELECT repeat(md5(i::text), 32) FROM generate_series(1, 40000) i"); // 100Mi could not hold it all
        assertEquals("70000", valueOn("grows", "SELECT count(*) FROM filler"));
    }



    private long capacity(String claim) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns()).withName(claim).get();
        Quantity q = pvc.getStatus() == null || pvc.getStatus().getCapacity() == null ? null : pvc.getStatus().getCapacity().get("storage");
        return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
    }

    private String request(String claim) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns()).withName(claim).get();
        return pvc.getSpec().getResources().getRequests().get("storage").toString();
    }

    private String request() {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns()).withName("data-vg-0").get();
        Quantity q = pvc.getSpec().getResources().getRequests().get("storage");
        return q.toString();
    }
}
