package io.shopdb.operator.cluster;

import io.shopdb.operator.access.WalArchiveFolders;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.WalArchiveSpec;
import io.shopdb.operator.api.v1alpha1.WalArchiveStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** spec.walArchive and spec.bootstrap.fromBackup.recovery as pod spec, parameters and configuration. */
class WalArchiveBuilderTest {

    static PostgresCluster archiving(int instances) {
        PostgresCluster c = InstanceSetBuilderTest.cluster(instances, Map.of());
        var wal = new WalArchiveSpec();
        wal.setTarget(BootstrapFromBackupBuilderTest.pvc("store", "arch"));
        wal.setArchiveTimeout(30);
        c.getSpec().setWalArchive(wal);
        return c;
    }

    static Container named(List<Container> containers, String name) {
        return containers.stream().filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void archivingAddsTheSidecarTheHandoffAndTheOwnedParameters() {
        PostgresCluster c = archiving(2);
        StatefulSet sts = InstanceSetBuilder.build(c, null, "shopdb/operator:1.0");
        var pod = sts.getSpec().getTemplate().getSpec();
        assertEquals(List.of("postgres", "guard", "wal-archiver"), pod.getContainers().stream().map(Container::getName).toList());
        Container sidecar = named(pod.getContainers(), "wal-archiver");
        assertEquals("shopdb/operator:1.0", sidecar.getImage());
        var request = (AgentRequest.WalArchiver) AgentRequest.parse(sidecar.getArgs().toArray(String[]::new));
        assertEquals("wal/prod/shop/uid-1", request.archivePrefix());
        assertEquals("$(SHOPDB_WAL_HANDOFF)", request.handoffDir());
        assertEquals("$(BACKUP_DIR)", request.storage().dir());
        assertTrue(sidecar.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("wal-archive") && !Boolean.TRUE.equals(m.getReadOnly())));
        assertTrue(sidecar.getSecurityContext().getReadOnlyRootFilesystem());
        Container postgres = named(pod.getContainers(), "postgres");
        assertTrue(postgres.getEnv().stream().anyMatch(e -> e.getName().equals("SHOPDB_WAL_HANDOFF")
                && e.getValue().equals(InstanceSetBuilder.WAL_HANDOFF)));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("wal-archive")
                && v.getPersistentVolumeClaim().getClaimName().equals("store")));

        Map<String, String> p = PostgresParameters.forCluster(c);
        assertEquals("on", p.get("archive_mode"));
        assertEquals("30s", p.get("archive_timeout"));
        assertEquals("sh \"$SHOPDB_CONFIG_DIR/archive-wal.sh\" \"%p\" \"%f\"", p.get("archive_command"));
        assertNull(PostgresParameters.forCluster(InstanceSetBuilderTest.cluster(1, Map.of())).get("archive_mode"), "no archiving, no archive_mode");
        assertTrue(PostgresParameters.problems(Map.of("archive_timeout", "5min")).get(0).contains("set by the operator"));
        // archive_mode needs a restart: turning archiving on rolls the instances
        assertNotEquals(InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(2, Map.of())).getSpec().getTemplate().getMetadata().getAnnotations(),
                sts.getSpec().getTemplate().getMetadata().getAnnotations());
    }

    @Test
    void anEncryptedArchiveGivesTheSidecarItsKeySecretReadOnly() {
        PostgresCluster c = archiving(2);
        var encryption = new io.shopdb.operator.api.v1alpha1.BackupTarget.Encryption();
        encryption.setKeySecret("wal-keys");
        encryption.setKeyId("k1");
        c.getSpec().getWalArchive().getTarget().setEncryption(encryption);
        var pod = InstanceSetBuilder.build(c, null, "shopdb/operator:1.0").getSpec().getTemplate().getSpec();
        var volume = pod.getVolumes().stream().filter(v -> v.getName().equals(InstanceSetBuilder.ARCHIVE_KEYS_VOLUME)).findFirst().orElseThrow();
        assertEquals("wal-keys", volume.getSecret().getSecretName());
        Container sidecar = named(pod.getContainers(), "wal-archiver");
        var mount = sidecar.getVolumeMounts().stream().filter(m -> m.getName().equals(InstanceSetBuilder.ARCHIVE_KEYS_VOLUME)).findFirst().orElseThrow();
        assertTrue(mount.getReadOnly());
        assertTrue(sidecar.getEnv().stream().anyMatch(e -> e.getName().equals("SHOPDB_ENCRYPTION_KEYS") && e.getValue().equals(mount.getMountPath())));
        assertTrue(sidecar.getEnv().stream().anyMatch(e -> e.getName().equals("SHOPDB_ENCRYPTION_KEY_ID") && e.getValue().equals("k1")));
        assertTrue(named(pod.getContainers(), "postgres").getVolumeMounts().stream().noneMatch(m -> m.getName().equals(InstanceSetBuilder.ARCHIVE_KEYS_VOLUME)),
                "the server's container never sees the keys");
    }

    @Test
    void eachClusterObjectArchivesToAFolderOfItsOwnThatStaysWhereItStarted() {
        PostgresCluster first = archiving(1);
        PostgresCluster recreated = archiving(1);
        recreated.getMetadata().setUid("uid-2");
        PostgresCluster otherNamespace = archiving(1);
        otherNamespace.getMetadata().setNamespace("staging");
        var folders = java.util.Set.of(WalArchiveFolders.of(first), WalArchiveFolders.of(recreated), WalArchiveFolders.of(otherNamespace));
        assertEquals(3, folders.size(), "re-created or same name elsewhere: never one folder: " + folders);

        // once recorded in status it is read from there; a cluster that archived before folders had namespace and uid
        // (status.walArchive without a prefix) keeps its old folder, where its backups' WAL is
        var status = new io.shopdb.operator.api.v1alpha1.PostgresClusterStatus();
        status.setWalArchive(new WalArchiveStatus());
        first.setStatus(status);
        assertEquals("wal/shop", WalArchiveFolders.of(first));
        status.getWalArchive().setPrefix("wal/prod/shop/uid-1");
        first.getMetadata().setUid("uid-9");
        assertEquals("wal/prod/shop/uid-1", WalArchiveFolders.of(first));
    }

    @Test
    void theConfigurationCarriesTheScriptAndTheRetentionBoundaryWhichNeedsNoReload() {
        PostgresCluster c = archiving(1);
        var data = ClusterObjects.config(c).getData();
        assertTrue(data.get(ClusterObjects.ARCHIVE_SCRIPT).contains("$SHOPDB_WAL_HANDOFF"));
        assertEquals("", data.get(ClusterObjects.WAL_KEEP_FROM_KEY), "nothing may go before a backup says so");
        String hash = ClusterObjects.configHash(c);
        var status = new io.shopdb.operator.api.v1alpha1.PostgresClusterStatus();
        status.setWalArchive(new WalArchiveStatus());
        status.getWalArchive().setKeepFrom("000000010000000000000004");
        c.setStatus(status);
        assertEquals("000000010000000000000004", ClusterObjects.config(c).getData().get(ClusterObjects.WAL_KEEP_FROM_KEY));
        assertEquals(hash, ClusterObjects.configHash(c), "a moved boundary is for the sidecar: no reload");
        assertFalse(ClusterObjects.config(InstanceSetBuilderTest.cluster(1, Map.of())).getData().containsKey(ClusterObjects.ARCHIVE_SCRIPT));
    }

    @Test
    void aRecoveryAddsThePrepareRecoveryInitContainerAfterTheRestore() {
        var recovery = new InstanceSetBuilder.Recovery(BootstrapFromBackupBuilderTest.pvc("archive", "arch"), "wal/shop",
                "2026-12-01 09:30:00+00", null, null, null);
        StatefulSet sts = InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(2, Map.of()),
                new InstanceSetBuilder.Restore("b-1", BootstrapFromBackupBuilderTest.pvc("store", "base"), "img", recovery));
        var pod = sts.getSpec().getTemplate().getSpec();
        assertEquals(List.of("restore", "recover"), pod.getInitContainers().stream().map(Container::getName).toList());
        Container recover = named(pod.getInitContainers(), "recover");
        var request = (AgentRequest.PrepareRecovery) AgentRequest.parse(recover.getArgs().toArray(String[]::new));
        assertEquals("2026-12-01 09:30:00+00", request.targetTime());
        assertEquals("wal/shop", request.archivePrefix());
        assertEquals("$(POD_NAME)", request.podName());
        var env = recover.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals("/wal-archive/arch", env.get("BACKUP_DIR"));
        assertEquals(InstanceSetBuilder.RECOVERY_OPTIONS, env.get("SHOPDB_RECOVERY_OPTIONS"));
        // two PVCs, two volumes; the archive is only read by a cluster that does not archive itself
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("backup") && v.getPersistentVolumeClaim().getClaimName().equals("store")));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("wal-archive")
                && v.getPersistentVolumeClaim().getClaimName().equals("archive") && v.getPersistentVolumeClaim().getReadOnly()));
        assertTrue(named(pod.getContainers(), "postgres").getEnv().stream().anyMatch(e -> e.getName().equals("SHOPDB_RECOVERY_OPTIONS")));
    }
}
