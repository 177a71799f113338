package io.shopdb.operator.backup;

import io.shopdb.operator.jobs.AgentJobs;

import io.shopdb.operator.jobs.AgentJobs;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentJobsTest {

    static PostgresCluster cluster() {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName("shop").withNamespace("prod").build());
        c.setSpec(new PostgresClusterSpec());
        return c;
    }

    static PostgresBackup backup(BackupTarget target) {
        var b = new PostgresBackup();
        b.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("prod").withUid("1234abcd-0000").build());
        var spec = new PostgresBackupSpec();
        spec.setClusterRef(new LocalReference("shop"));
        spec.setDatabases(List.of("shop", "audit"));
        spec.setTarget(target);
        b.setSpec(spec);
        return b;
    }

    static BackupTarget s3() {
        var t = new BackupTarget();
        var s3 = new BackupTarget.S3();
        s3.setBucket("shop-backups");
        s3.setPrefix("prod");
        s3.setEndpoint("http://minio:9000");
        s3.setPathStyle(true);
        s3.setSse("AES256");
        var creds = new BackupTarget.S3Credentials();
        creds.setName("s3-creds");
        s3.setCredentialsSecret(creds);
        t.setS3(s3);
        return t;
    }

    static BackupTarget pvc() {
        var t = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName("backups");
        pvc.setSubPath("shop");
        t.setPvc(pvc);
        return t;
    }

    private static Job job(BackupTarget target) {
        PostgresBackup b = backup(target);
        var server = AgentJobs.server(cluster());
        return AgentJobs.build(b, "nightly-backup-1", "registry/shopdb:1.0", server, target,
                AgentRequests.backup(b.getSpec(), AgentRequests.backupId(b), server));
    }

    @Test
    void theJobPassesThePodSecurityRestrictedProfile() {
        Job job = job(pvc());
        var pod = job.getSpec().getTemplate().getSpec();
        var c = pod.getContainers().get(0);
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(360 * 60 + 300L, job.getSpec().getActiveDeadlineSeconds(), "the default backup timeout plus the margin");
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertFalse(pod.getAutomountServiceAccountToken());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertTrue(c.getSecurityContext().getRunAsNonRoot());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals("RuntimeDefault", c.getSecurityContext().getSeccompProfile().getType());
        Map<String, String> mounts = c.getVolumeMounts().stream().collect(Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
        assertEquals("tmp", mounts.get("/tmp"));
        assertEquals("spool", mounts.get("/spool"));
        assertEquals("backup", mounts.get("/backup"));
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow().getEmptyDir());
        assertEquals("backups", pod.getVolumes().stream().filter(v -> v.getName().equals("backup")).findFirst().orElseThrow()
                .getPersistentVolumeClaim().getClaimName());
        assertEquals("/dev/termination-log", c.getTerminationMessagePath());
        assertEquals("shopdb-operator", pod.getContainers().isEmpty() ? null : job.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("nightly", job.getMetadata().getOwnerReferences().get(0).getName());
    }

    @Test
    void theAgentCommandRunsTheOperatorJarWithHostsAndPathsFromEnv() {
        var c = job(pvc()).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("registry/shopdb:1.0", c.getImage());
        assertEquals(List.of("java", "-jar", "/deployments/quarkus-run.jar"), c.getCommand());
        String args = String.join(" ", c.getArgs());
        assertTrue(args.startsWith("agent backup --backup-id nightly-1234abcd --method logical --database shop --database audit --format custom"), args);
        assertEquals(AgentRequests.backup(backup(pvc()).getSpec(), "nightly-1234abcd", AgentJobs.server(cluster())),
                AgentRequest.parse(c.getArgs().toArray(String[]::new)), "the Job's arguments read back as the request");
        assertTrue(args.contains("--host $(DB_HOST) --port $(DB_PORT)"), args);
        assertTrue(args.endsWith("--dir $(BACKUP_DIR)"), args);
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("shop-rw.prod.svc", env.get("DB_HOST").getValue());
        assertEquals("/backup/shop", env.get("BACKUP_DIR").getValue());
        assertEquals("postgres", env.get("PGUSER").getValue());
    }

    @Test
    void secretsComeOnlyAsSecretKeyRefs() {
        Job job = job(s3());
        var c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertNull(env.get("PGPASSWORD").getValue());
        assertEquals("shop-superuser", env.get("PGPASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertEquals("password", env.get("PGPASSWORD").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("s3-creds", env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName());
        assertEquals("AWS_ACCESS_KEY_ID", env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("AWS_SECRET_ACCESS_KEY", env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getKey());
        String args = String.join(" ", c.getArgs());
        assertTrue(args.endsWith("--s3-bucket shop-backups --s3-prefix prod --s3-endpoint http://minio:9000 --s3-path-style --s3-sse AES256"), args);
        String json = Serialization.asJson(job);
        assertFalse(json.toLowerCase().contains("\"password\":"), json); // only key names, no value field
        assertTrue(job.getSpec().getTemplate().getSpec().getVolumes().stream().noneMatch(v -> v.getName().equals("backup")));
        assertEquals("s3://shop-backups/prod/x", AgentJobs.location(s3(), "x"));
    }

    @Test
    void anEncryptedTargetMountsItsKeySecretAndNamesTheKeyToWriteWith() {
        BackupTarget target = s3();
        var encryption = new BackupTarget.Encryption();
        encryption.setKeySecret("backup-keys");
        encryption.setKeyId("2026-12");
        target.setEncryption(encryption);
        var pod = job(target).getSpec().getTemplate().getSpec();
        var volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null && "backup-keys".equals(v.getSecret().getSecretName()))
                .findFirst().orElseThrow();
        var c = pod.getContainers().get(0);
        var mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName())).findFirst().orElseThrow();
        assertTrue(mount.getReadOnly());
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals(mount.getMountPath(), env.get(io.shopdb.operator.agent.EncryptionKeys.KEYS_DIR_ENV).getValue());
        assertEquals("2026-12", env.get(io.shopdb.operator.agent.EncryptionKeys.KEY_ID_ENV).getValue());
        assertTrue(job(s3()).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .noneMatch(e -> e.getName().startsWith("SHOPDB_ENCRYPTION")), "an unencrypted target has none of it");
    }

    @Test
    void anExternalClusterUsesItsAdminSecretForUserAndPassword() {
        var c = cluster();
        var ext = new io.shopdb.operator.api.v1alpha1.ExternalServerSpec();
        ext.setHost("db.example.com");
        var ref = new io.shopdb.operator.api.v1alpha1.SecretKeyReference();
        ref.setName("rds-admin");
        ext.setAdminSecretRef(ref);
        c.getSpec().setExternal(ext);
        var server = AgentJobs.server(c);
        assertEquals("db.example.com", server.host());
        assertEquals("rds-admin", server.userSecret());
        assertEquals("rds-admin", server.passwordSecret());
    }

    /** Every Job kind that connects to the cluster's server: backup, restore, restore drill (import: DatabaseImportsTest). */
    private static List<Job> connectingJobs(PostgresCluster c) {
        PostgresBackup b = backup(pvc());
        var server = AgentJobs.server(c);
        var schedule = new io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec();
        var verify = new io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec.Verify();
        verify.setDatabase("shop");
        schedule.setVerify(verify);
        return List.of(
                AgentJobs.build(b, "b", "img", server, pvc(), AgentRequests.backup(b.getSpec(), "id", server)),
                AgentJobs.build(b, "r", "img", server, s3(), AgentRequests.restore(new io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec(), s3(), "id", server)),
                AgentJobs.build(b, "v", "img", server, pvc(), AgentRequests.verify(schedule, pvc(), "id", server)));
    }

    private static String arg(List<String> args, String name) {
        int i = args.indexOf(name);
        return i < 0 ? null : args.get(i + 1);
    }

    @Test
    void everyJobThatConnectsToAnInstanceVerifiesItAgainstTheClustersCa() {
        for (Job job : connectingJobs(cluster())) {
            var pod = job.getSpec().getTemplate().getSpec();
            var c = pod.getContainers().get(0);
            String kind = c.getArgs().get(1);
            assertEquals("verify-full", arg(c.getArgs(), "--sslmode"), kind);
            assertEquals("$(DB_CA_FILE)", arg(c.getArgs(), "--sslrootcert"), kind);
            assertEquals("shop-rw.prod.svc", arg(c.getArgs(), "--server-name"), kind + ": the name the certificate carries, not $(DB_HOST)");
            Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            assertEquals(AgentJobs.MOUNT_SERVER_CA + "/ca.crt", env.get("DB_CA_FILE").getValue(), kind);
            var volume = pod.getVolumes().stream().filter(v -> v.getName().equals("server-ca")).findFirst().orElseThrow();
            assertEquals("shop-server-tls", volume.getSecret().getSecretName(), kind + ": the CA the instances serve with");
            assertEquals(1, volume.getSecret().getItems().size(), kind + ": only ca.crt, never the server's tls.key");
            assertEquals("ca.crt", volume.getSecret().getItems().get(0).getKey());
            assertEquals("ca.crt", volume.getSecret().getItems().get(0).getPath());
            var mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals("server-ca")).findFirst().orElseThrow();
            assertEquals(AgentJobs.MOUNT_SERVER_CA, mount.getMountPath());
            assertTrue(mount.getReadOnly(), kind);
        }
        PostgresBackup b = backup(pvc());
        Job delete = AgentJobs.build(b, "d", "img", null, pvc(), AgentRequests.delete(pvc(), "id"));
        assertTrue(delete.getSpec().getTemplate().getSpec().getVolumes().stream().noneMatch(v -> v.getName().equals("server-ca")),
                "a storage-only Job connects to no server and mounts no CA");
    }

    @Test
    void anExternalClusterIsVerifiedWhenItsCaIsGivenElseExternalTlsDecides() {
        var c = cluster();
        var ext = new io.shopdb.operator.api.v1alpha1.ExternalServerSpec();
        ext.setHost("db.example.com");
        var ref = new io.shopdb.operator.api.v1alpha1.SecretKeyReference();
        ref.setName("rds-admin");
        ext.setAdminSecretRef(ref);
        ext.setCaSecretName("rds-ca");
        c.getSpec().setExternal(ext);
        for (Job job : connectingJobs(c)) {
            var pod = job.getSpec().getTemplate().getSpec();
            var args = pod.getContainers().get(0).getArgs();
            assertEquals("verify-full", arg(args, "--sslmode"), args.get(1));
            assertEquals("db.example.com", arg(args, "--server-name"));
            var volume = pod.getVolumes().stream().filter(v -> v.getName().equals("server-ca")).findFirst().orElseThrow();
            assertEquals("rds-ca", volume.getSecret().getSecretName());
            assertEquals("ca.crt", volume.getSecret().getItems().get(0).getKey());
        }
        ext.setCaSecretName(null);
        for (Job job : connectingJobs(c)) {
            var pod = job.getSpec().getTemplate().getSpec();
            var args = pod.getContainers().get(0).getArgs();
            assertEquals("require", arg(args, "--sslmode"), "no CA: encrypted, not verified (the cluster's Warning says so)");
            assertNull(arg(args, "--sslrootcert"));
            assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().equals("server-ca")));
        }
        ext.setSslMode(io.shopdb.operator.api.v1alpha1.ExternalServerSpec.SslMode.prefer);
        assertEquals("prefer", arg(connectingJobs(c).get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs(), "--sslmode"),
                "prefer only when the user set it");
    }

    @Test
    void theDeadlineFollowsTheSpecTimeoutSoTheAgentsOwnTimeoutFiresFirst() {
        PostgresBackup b = backup(pvc());
        b.getSpec().setTimeoutMinutes(30);
        var server = AgentJobs.server(cluster());
        Job job = AgentJobs.build(b, "j", "img", server, pvc(), AgentRequests.backup(b.getSpec(), "id", server));
        assertEquals(30 * 60 + 300L, job.getSpec().getActiveDeadlineSeconds());
        assertTrue(String.join(" ", job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--timeout-minutes 30"));
        Job delete = AgentJobs.build(b, "d", "img", null, pvc(), AgentRequests.delete(pvc(), "id"));
        assertEquals(AgentJobs.STORAGE_ONLY_DEADLINE_SECONDS, delete.getSpec().getActiveDeadlineSeconds());
        assertEquals("PostgresBackup", delete.getSpec().getTemplate().getMetadata().getLabels().get(AgentJobs.OWNER_KIND_LABEL),
                "pods carry the owner kind their informer selects on");
    }

    @Test
    void jobNamesStayShortEnoughForPodNamesAndLabels() {
        String name = AgentJobs.jobName("a-very-long-schedule-name-for-the-shop-database-20260101030000", "backup-10");
        assertTrue(name.length() <= 52, name);
        assertTrue(name.endsWith("-backup-10"), name);
        assertEquals("short-backup-1", AgentJobs.jobName("short", "backup-1"));
    }
}
