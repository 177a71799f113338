package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.StandbySpec;
import io.shopdb.operator.api.v1alpha1.StandbyStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spec.standby as pod spec, configuration, NetworkPolicy and validation. */
class StandbyBuilderTest {

    static PostgresCluster standby(boolean enabled, boolean archive) {
        PostgresCluster c = InstanceSetBuilderTest.cluster(2, Map.of());
        StandbySpec s = new StandbySpec();
        s.setSource(new LocalReference("east"));
        s.setEnabled(enabled);
        if (archive) {
            s.setArchive(BootstrapFromBackupBuilderTest.pvc("store", "arch"));
            PostgresClusterStatus status = new PostgresClusterStatus();
            status.setStandby(new StandbyStatus());
            status.getStandby().setArchivePrefix("wal/prod/east/uid-9");
            c.setStatus(status);
        }
        c.getSpec().setStandby(s);
        return c;
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    @Test
    void aStandbyReachesItsSourceTrustingOnlyTheSourcesCaCertificate() {
        var pod = InstanceSetBuilder.build(standby(true, false), null, "shopdb/operator:1.0").getSpec().getTemplate().getSpec();
        Container postgres = WalArchiveBuilderTest.named(pod.getContainers(), "postgres");
        assertEquals("east-rw", env(postgres, "SOURCE_HOST"));
        assertEquals(InstanceSetBuilder.SOURCE_CA_MOUNT + "/ca.crt", env(postgres, "SHOPDB_SOURCE_CA"));
        Volume ca = pod.getVolumes().stream().filter(v -> v.getName().equals(InstanceSetBuilder.SOURCE_CA_VOLUME)).findFirst().orElseThrow();
        assertEquals("east-server-tls", ca.getSecret().getSecretName());
        assertEquals(List.of("ca.crt"), ca.getSecret().getItems().stream().map(i -> i.getKey()).toList(), "the certificate, never the key");
        assertTrue(ca.getSecret().getOptional(), "a promoted cluster outlives its source's Secret");
        assertEquals(List.of("postgres", "guard"), pod.getContainers().stream().map(Container::getName).toList(), "no archive: no wal-fetcher");
        assertEquals("true", ClusterObjects.config(standby(true, false)).getData().get(ClusterObjects.STANDBY_KEY));
    }

    @Test
    void promotingChangesTheConfigurationButNoPod() {
        var replaying = InstanceSetBuilder.build(standby(true, true), null, "shopdb/operator:1.0");
        var promoted = InstanceSetBuilder.build(standby(false, true), null, "shopdb/operator:1.0");
        assertEquals(replaying.getSpec().getTemplate(), promoted.getSpec().getTemplate());
        assertEquals("false", ClusterObjects.config(standby(false, true)).getData().get(ClusterObjects.STANDBY_KEY));
        assertEquals(ClusterObjects.configHash(standby(true, true)), ClusterObjects.configHash(standby(false, true)), "and no reload");
    }

    @Test
    void theArchiveIsReadByAWalFetcherFromTheSourcesRecordedFolder() {
        var pod = InstanceSetBuilder.build(standby(true, true), null, "shopdb/operator:1.0").getSpec().getTemplate().getSpec();
        Container fetcher = WalArchiveBuilderTest.named(pod.getContainers(), "wal-fetcher");
        var request = (AgentRequest.WalFetcher) AgentRequest.parse(fetcher.getArgs().toArray(String[]::new));
        assertEquals("wal/prod/east/uid-9", request.archivePrefix());
        assertEquals("$(SHOPDB_WAL_FETCH)", request.handoffDir());
        assertTrue(fetcher.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(InstanceSetBuilder.SOURCE_ARCHIVE_VOLUME)
                && Boolean.TRUE.equals(m.getReadOnly())), "the source's archive is read, never written");
        assertEquals(InstanceSetBuilder.WAL_FETCH, env(WalArchiveBuilderTest.named(pod.getContainers(), "postgres"), "SHOPDB_WAL_FETCH"));
        assertTrue(ClusterObjects.config(standby(true, true)).getData().containsKey(ClusterObjects.RESTORE_SCRIPT));
    }

    @Test
    void aPrimaryClusterHasNoneOfIt() {
        PostgresCluster plain = InstanceSetBuilderTest.cluster(2, Map.of());
        var pod = InstanceSetBuilder.build(plain, null, "shopdb/operator:1.0").getSpec().getTemplate().getSpec();
        assertFalse(pod.getVolumes().stream().anyMatch(v -> v.getName().startsWith("source-")));
        assertEquals(null, env(WalArchiveBuilderTest.named(pod.getContainers(), "postgres"), "SOURCE_HOST"));
        assertEquals("false", ClusterObjects.config(plain).getData().get(ClusterObjects.STANDBY_KEY));
        assertEquals("", ClusterObjects.config(plain).getData().get(ClusterObjects.REWIND_TOKEN_KEY));
    }

    @Test
    void theSourcesNetworkPolicyAdmitsItsStandbysAndACycleIsRefused() {
        PostgresCluster source = InstanceSetBuilderTest.cluster(2, Map.of());
        var config = ClusterNetworkPolicyTest.config(true, "shopdb-system");
        var peers = ClusterNetworkPolicy.build(source, config, List.of("west")).getSpec().getIngress().get(0).getFrom();
        assertTrue(peers.stream().anyMatch(p -> p.getPodSelector() != null
                && "west".equals(p.getPodSelector().getMatchLabels().get(io.shopdb.operator.access.ClusterNames.CLUSTER_LABEL))), peers.toString());
        assertEquals(peers.size() - 1, ClusterNetworkPolicy.build(source, config).getSpec().getIngress().get(0).getFrom().size());

        PostgresCluster self = standby(true, false);
        self.getSpec().getStandby().setSource(new LocalReference(self.getMetadata().getName()));
        assertTrue(ClusterValidation.problems(self.getMetadata().getName(), self.getSpec()).stream()
                .anyMatch(p -> p.startsWith("spec.standby.source")));
    }
}
