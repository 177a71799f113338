package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.testing.OperatorTestBase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator upgrade changes the agent image (the agent is a command of the operator's own image). The upgraded
 * operator's build of the instances (ManagedClusterResources with the new image, what its reconcile runs) keeps
 * the pinned image: the StatefulSet is not written, no pod is replaced, no postmaster restarts.
 */
@QuarkusTest
class OperatorUpgradeOperatorTest extends OperatorTestBase {
    static final String UPGRADED_IMAGE = "registry.example/shopdb-operator:99.0.0";

    @Inject HighAvailability ha;
    @Inject ShopdbConfig config;

    @Test
    void anUpgradedOperatorRestartsNoInstanceOfAnArchivingCluster() throws Exception {
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("up-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: up}
                spec:
                  instances: 2
                  walArchive: {target: {pvc: {claimName: up-store, subPath: arch}}}
                """, PostgresCluster.class));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "up");
        assertEquals(config.agent().image(), ready.getStatus().getAgentImage(), "pinned when the cluster was made");
        Map<String, String> startedBefore = startTimes();
        List<String> podsBefore = podUids();
        // the spec, not the resourceVersion: the StatefulSet controller's status writes move that at any time
        var setSpec = client.apps().statefulSets().inNamespace(ns()).withName(ClusterNames.statefulSet(ready)).get().getSpec();

        ManagedClusterResources upgraded = new ManagedClusterResources(client, UPGRADED_IMAGE);
        PostgresCluster current = client.resources(PostgresCluster.class).inNamespace(ns()).withName("up").get();
        boolean wrote = upgraded.apply(current, null, null, ha.declared(current, current.getStatus()));

        assertEquals(config.agent().image(), upgraded.agentImageUsed(), "the instances keep the image they run");
        assertFalse(wrote, "nothing of the cluster's objects was written");
        assertEquals(setSpec, client.apps().statefulSets().inNamespace(ns()).withName(ClusterNames.statefulSet(ready)).get()
                .getSpec(), "the StatefulSet's spec is untouched");
        Thread.sleep(3000); // what a roll would do, it would have begun by now
        assertEquals(podsBefore, podUids(), "no pod was replaced");
        assertEquals(startedBefore, startTimes(), "every postmaster's start time is unchanged");
        assertEquals(config.agent().image(), upgraded.agentImageUsed());
        assertEquals(UPGRADED_IMAGE, upgraded.agentImagePending(), "status says which image waits");

        // in the cluster's maintenance window the upgraded operator moves the instances to its image
        var window = new io.shopdb.operator.api.v1alpha1.MaintenanceWindowSpec();
        window.setDays(List.of(io.shopdb.operator.api.v1alpha1.MaintenanceWindowSpec.Day.Sat));
        window.setStart("02:00");
        window.setDuration("3h");
        current = client.resources(PostgresCluster.class).inNamespace(ns()).withName("up").get();
        current.getSpec().setMaintenanceWindow(window);
        var closed = new ManagedClusterResources(client, UPGRADED_IMAGE, java.time.Clock.fixed(java.time.Instant.parse("2026-12-05T05:00:00Z"), java.time.ZoneOffset.UTC));
        assertFalse(closed.apply(current, null, null, ha.declared(current, current.getStatus())), "Saturday 05:00: the window has closed");
        var open = new ManagedClusterResources(client, UPGRADED_IMAGE, java.time.Clock.fixed(java.time.Instant.parse("2026-12-05T03:00:00Z"), java.time.ZoneOffset.UTC));
        assertTrue(open.apply(current, null, null, ha.declared(current, current.getStatus())), "Saturday 03:00: the StatefulSet is written");
        assertEquals(UPGRADED_IMAGE, open.agentImageUsed());
        assertEquals(null, open.agentImagePending());
        var sidecar = client.apps().statefulSets().inNamespace(ns()).withName(ClusterNames.statefulSet(ready)).get().getSpec().getTemplate()
                .getSpec().getContainers().stream().filter(c -> c.getName().equals("wal-archiver")).findFirst().orElseThrow();
        assertEquals(UPGRADED_IMAGE, sidecar.getImage(), "the pods roll to it (replicas first, then a switchover)");
        // this test's operator is still the old one: the cluster goes, so it does not roll back and forth behind later tests
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("up").delete();
    }

    private List<String> podUids() {
        return client.pods().inNamespace(ns()).withLabel(ClusterNames.CLUSTER_LABEL, "up").list().getItems().stream()
                .map(Pod::getMetadata).map(m -> m.getName() + "/" + m.getUid()).sorted().toList();
    }

    private Map<String, String> startTimes() throws Exception {
        Map<String, String> out = new TreeMap<>();
        char[] password = ClusterCredentials.read(client, ns(), "up-superuser", "password");
        for (String service : List.of("up-rw", "up-ro")) {
            try (Connection c = PgConnections.open(endpoint(service, "postgres", "postgres", password));
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()::text || ' ' || pg_postmaster_start_time()::text")) {
                rs.next();
                out.put(service, rs.getString(1));
            }
        }
        return out;
    }
}
