package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The StatefulSet of a cluster bootstrapped from a physical backup: one restricted init container, no secret values. */
class BootstrapFromBackupBuilderTest {

    static BackupTarget pvc(String claim, String subPath) {
        var target = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName(claim);
        pvc.setSubPath(subPath);
        target.setPvc(pvc);
        return target;
    }

    @Test
    void withoutBootstrapThereIsNoInitContainer() {
        StatefulSet sts = InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(1, Map.of()));
        var pod = sts.getSpec().getTemplate().getSpec();
        assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty());
        assertFalse(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("backup")));
    }

    @Test
    void withABackupTheRestoreInitContainerUnpacksIntoAnEmptyPgdataOnly() {
        StatefulSet sts = InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(2, Map.of()),
                new InstanceSetBuilder.Restore("20260101T000000Z", pvc("store", "phys"), "shopdb/operator:1.0"));
        var pod = sts.getSpec().getTemplate().getSpec();
        assertEquals(1, pod.getInitContainers().size());
        Container init = pod.getInitContainers().get(0);
        assertEquals("restore", init.getName());
        assertEquals("shopdb/operator:1.0", init.getImage());
        assertEquals(List.of("java", "-jar", "/deployments/quarkus-run.jar"), init.getCommand());
        List<String> args = init.getArgs();
        assertEquals(List.of("agent", "unpack"), args.subList(0, 2));
        assertTrue(args.containsAll(List.of("--backup-id", "20260101T000000Z", "--data-dir", "$(PGDATA)", "--if-empty",
                "--pod-name", "$(POD_NAME)", "--dir", "$(BACKUP_DIR)")), args.toString());
        var env = init.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals(InstanceSetBuilder.DATA_MOUNT + "/pgdata", env.get("PGDATA"));
        assertEquals("/backup/phys", env.get("BACKUP_DIR"));
        assertTrue(init.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("data") && m.getMountPath().equals(InstanceSetBuilder.DATA_MOUNT)));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("backup")
                && v.getPersistentVolumeClaim().getClaimName().equals("store")));

        var sc = init.getSecurityContext();
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertTrue(sc.getRunAsNonRoot());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        assertEquals(999L, pod.getSecurityContext().getRunAsUser());
    }

    @Test
    void s3CredentialsReachTheInitContainerOnlyAsSecretReferences() {
        var target = new BackupTarget();
        var s3 = new BackupTarget.S3();
        s3.setBucket("bucket");
        var creds = new BackupTarget.S3Credentials();
        creds.setName("s3-creds");
        s3.setCredentialsSecret(creds);
        target.setS3(s3);
        StatefulSet sts = InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(1, Map.of()),
                new InstanceSetBuilder.Restore("id-1", target, "img"));
        Container init = sts.getSpec().getTemplate().getSpec().getInitContainers().get(0);
        for (var e : init.getEnv()) {
            if (e.getName().startsWith("AWS_")) {
                assertEquals(null, e.getValue());
                assertEquals("s3-creds", e.getValueFrom().getSecretKeyRef().getName());
            }
        }
        assertTrue(init.getArgs().containsAll(List.of("--s3-bucket", "bucket")));
        String json = Serialization.asJson(sts);
        assertFalse(json.contains("\"password\":"), "no password value in the StatefulSet");
        assertFalse(json.toLowerCase().contains("secretaccesskey\":\""), json);
    }
}
