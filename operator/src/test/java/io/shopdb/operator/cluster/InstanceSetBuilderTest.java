package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceSetBuilderTest {

    static PostgresCluster cluster(int instances, Map<String, String> parameters) {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName("shop").withNamespace("prod").withUid("uid-1").build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(instances);
        spec.setParameters(parameters);
        c.setSpec(spec);
        return c;
    }

    @Test
    void podsPassPodSecurityRestricted() {
        StatefulSet sts = InstanceSetBuilder.build(cluster(3, Map.of()));
        var pod = sts.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertFalse(pod.getAutomountServiceAccountToken());
        for (var c : pod.getContainers()) {
            assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
            assertEquals(java.util.List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        }
        assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), "no hostPath volumes");
        assertEquals(3, sts.getSpec().getReplicas());
        assertEquals("shop-headless", sts.getSpec().getServiceName());
    }

    @Test
    void volumesAreRetainedUnlessTheClusterSaysDelete() {
        var c = cluster(1, Map.of());
        assertEquals("Retain", InstanceSetBuilder.build(c).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
        c.getSpec().setReclaimPolicy(ReclaimPolicy.Delete);
        assertEquals("Delete", InstanceSetBuilder.build(c).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
    }

    @Test
    void onlyRestartParametersChangeThePodTemplate() {
        String base = hash(InstanceSetBuilder.build(cluster(1, Map.of())));
        assertEquals(base, hash(InstanceSetBuilder.build(cluster(1, Map.of("work_mem", "64MB")))), "work_mem reloads");
        assertNotEquals(base, hash(InstanceSetBuilder.build(cluster(1, Map.of("max_connections", "500")))), "max_connections restarts");
    }

    @Test
    void secretsReachThePodOnlyThroughSecretReferences() {
        var env = InstanceSetBuilder.build(cluster(1, Map.of())).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        var password = env.stream().filter(e -> e.getName().equals("POSTGRES_PASSWORD")).findFirst().orElseThrow();
        assertEquals(null, password.getValue());
        assertEquals("shop-superuser", password.getValueFrom().getSecretKeyRef().getName());
    }

    @Test
    void theOperatorRestartsPodsItselfAndInstancesStartWithoutWaitingForOrdinalZero() {
        var spec = InstanceSetBuilder.build(cluster(3, Map.of())).getSpec();
        assertEquals("OnDelete", spec.getUpdateStrategy().getType(), "replicas first, then a switchover: the operator's order, not the StatefulSet's");
        assertEquals("Parallel", spec.getPodManagementPolicy(), "a replica restarts while another instance is down");
        var container = spec.getTemplate().getSpec().getContainers().get(0);
        assertEquals("FallbackToLogsOnError", container.getTerminationMessagePolicy(), "a FATAL at start becomes the termination message");
        var primaryHost = container.getEnv().stream().filter(e -> e.getName().equals("PRIMARY_HOST")).findFirst().orElseThrow();
        assertEquals("shop-rw", primaryHost.getValue(), "replicas follow -rw, so a failover needs no re-pointing");
    }

    @Test
    void instancesPreferDistinctNodesByDefaultAndTheRuleIsConfigurable() {
        var c = cluster(3, Map.of());
        var anti = InstanceSetBuilder.build(c).getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        var preferred = anti.getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
        assertEquals("kubernetes.io/hostname", preferred.getTopologyKey());
        assertEquals(Map.of(ClusterNames.CLUSTER_LABEL, "shop"), preferred.getLabelSelector().getMatchLabels());
        var spread = new io.shopdb.operator.api.v1alpha1.AffinitySpec();
        spread.setPodAntiAffinityType(io.shopdb.operator.api.v1alpha1.AffinitySpec.PodAntiAffinityType.required);
        spread.setTopologyKey("topology.kubernetes.io/zone");
        c.getSpec().setAffinity(spread);
        var required = InstanceSetBuilder.build(c).getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().get(0);
        assertEquals("topology.kubernetes.io/zone", required.getTopologyKey());
        spread.setPodAntiAffinityType(io.shopdb.operator.api.v1alpha1.AffinitySpec.PodAntiAffinityType.none);
        assertEquals(null, InstanceSetBuilder.build(c).getSpec().getTemplate().getSpec().getAffinity());
    }

    /** The in-place restart of the primary is kept in the ConfigMap, so a restarted operator still waits for it. */
    @Test
    void aPrimaryRestartIsRecordedInTheConfigMapAndReadBackOrIgnoredWhenUnreadable() {
        var c = cluster(2, Map.of());
        var restart = new ClusterObjects.PrimaryRestart("uid-1", java.time.Instant.parse("2026-12-02T03:00:00Z"));
        var config = ClusterObjects.config(c, new ClusterObjects.Declared("shop-0", true, restart));
        assertEquals("uid-1 2026-12-02T03:00:00Z", config.getData().get(ClusterObjects.PRIMARY_RESTART_KEY));
        assertEquals(restart, ClusterObjects.PrimaryRestart.decode(config.getData().get(ClusterObjects.PRIMARY_RESTART_KEY)));
        assertEquals(null, ClusterObjects.PrimaryRestart.decode("uid-1 yesterday"));
        assertEquals(null, ClusterObjects.PrimaryRestart.decode(null));
        assertTrue(!ClusterObjects.config(c, new ClusterObjects.Declared("shop-0", true)).getData().containsKey(ClusterObjects.PRIMARY_RESTART_KEY));
    }

    @Test
    void theDeclaredPrimaryAndSynchronousStandbysAreInTheConfigMapButDoNotTriggerAReload() {
        var c = cluster(3, Map.of());
        var declared = ClusterObjects.config(c, new ClusterObjects.Declared("shop-2", true));
        assertEquals("shop-2", declared.getData().get(ClusterObjects.PRIMARY_KEY));
        assertEquals("true", declared.getData().get(ClusterObjects.INITIALIZED_KEY));
        String hash = ClusterObjects.configHash(c);
        c.getSpec().setSynchronous(new io.shopdb.operator.api.v1alpha1.SynchronousSpec());
        assertTrue(ClusterObjects.config(c).getData().get(ClusterObjects.CONFIG_FILE)
                .contains("synchronous_standby_names = 'ANY 1 (\"shop-0\", \"shop-1\", \"shop-2\")'"));
        assertNotEquals(hash, ClusterObjects.configHash(c), "a new standby list is reloaded");
        assertEquals(ClusterObjects.configHash(c), ClusterObjects.configHash(c));
    }

    private static String hash(StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(InstanceSetBuilder.RESTART_HASH);
    }

    @Test
    void everyInstanceHasTheGuardWhoseLeaseIsOnOnlyWithReplicasAndScalingRestartsNothing() {
        var single = cluster(1, Map.of());
        var three = cluster(3, Map.of());
        var pod = InstanceSetBuilder.build(three).getSpec().getTemplate().getSpec();
        var guard = pod.getContainers().stream().filter(x -> x.getName().equals("guard")).findFirst().orElseThrow();
        assertTrue(pod.getShareProcessNamespace(), "the guard stops the postmaster of another container");
        assertTrue(guard.getCommand().get(2).contains("FENCING"));
        assertTrue(guard.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("data")));
        assertEquals("2000", ClusterObjects.config(three).getData().get(ClusterObjects.GUARD_LEASE_KEY));
        assertEquals("0", ClusterObjects.config(single).getData().get(ClusterObjects.GUARD_LEASE_KEY), "one instance: nothing to fence for");
        assertEquals(InstanceSetBuilder.build(single).getSpec().getTemplate(), InstanceSetBuilder.build(three).getSpec().getTemplate(),
                "1 -> 3 instances changes no pod template: the primary is not restarted");
        assertEquals(ClusterObjects.configHash(single), ClusterObjects.configHash(three), "nor reloaded");
    }
}
