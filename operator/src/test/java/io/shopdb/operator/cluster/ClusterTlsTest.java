package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterTls;

import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.tls.ServerTlsSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterTlsTest {

    @Test
    void instancesMountTheServerSecretReadOnlyWithAKeyModePostgresAccepts() {
        var pod = InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(2, Map.of())).getSpec().getTemplate().getSpec();
        var volume = pod.getVolumes().stream().filter(v -> "tls".equals(v.getName())).findFirst().orElseThrow();
        assertEquals("shop-server-tls", volume.getSecret().getSecretName());
        assertEquals(0640, volume.getSecret().getDefaultMode());
        assertEquals(999L, pod.getSecurityContext().getFsGroup(), "fsGroup gives the server user group read of the root-owned key");
        var mount = pod.getContainers().get(0).getVolumeMounts().stream().filter(m -> "tls".equals(m.getName())).findFirst().orElseThrow();
        assertEquals(ClusterTls.MOUNT, mount.getMountPath());
        assertTrue(mount.getReadOnly());
        assertTrue(pod.getContainers().get(0).getEnv().stream()
                .anyMatch(e -> "SHOPDB_TLS_DIR".equals(e.getName()) && ClusterTls.MOUNT.equals(e.getValue())));
    }

    /** bootstrap.sh passes exactly the settings of ServerTlsSettings, and replicas verify the primary's CA. */
    @Test
    void bootstrapStartsEveryInstanceWithTheTlsSettings() {
        ClusterTls.parameters().forEach((k, v) -> assertTrue(InstanceSetBuilder.BOOTSTRAP.contains("-c " + k + "=" + v), k + "=" + v));
        assertTrue(InstanceSetBuilder.BOOTSTRAP.contains("sslmode=verify-ca sslrootcert=$SHOPDB_TLS_DIR/ca.crt"));
    }

    @Test
    void hbaOfTheClusterAdmitsTlsOnly() {
        String hba = ClusterObjects.config(InstanceSetBuilderTest.cluster(1, Map.of())).getData().get(ClusterObjects.HBA_FILE);
        assertEquals(ServerTlsSettings.hba(java.util.List.of("replicator", "postgres")), hba);
        assertTrue(hba.lines().noneMatch(l -> l.startsWith("host ")), "no plain host lines");
    }

    @Test
    void theCertificateCoversTheServicesAndPods() {
        var names = ClusterTls.serverNames(InstanceSetBuilderTest.cluster(1, Map.of()));
        for (String name : java.util.List.of("shop-rw.prod.svc", "shop-ro.prod.svc.cluster.local", "shop-r", "*.shop-headless.prod.svc")) {
            assertTrue(names.contains(name), name);
        }
    }
}
