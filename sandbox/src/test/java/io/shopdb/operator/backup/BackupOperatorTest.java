package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.agent.BackupManifest;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.BeforeEach;
import io.shopdb.operator.status.Conditions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups and restores of one sandbox cluster, through real agent Jobs: the sandbox's Job controller makes a
 * pod, its kubelet runs the agent as a local process against the cluster's PostgreSQL, and the operator reads
 * the result from the pod's termination message. Tests share only the cluster with its data (made once); each
 * makes the backups it needs ({@link #backupOnce}), so any one runs alone and in any order.
 */
@QuarkusTest
class BackupOperatorTest extends OperatorTestBase {
    static final String CLUSTER = "bk-db";
    static final String CLAIM = "bk-store";
    private static boolean prepared;

    @BeforeEach
    void clusterWithData() throws Exception {
        if (prepared) {
            return;
        }
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(CLUSTER).build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(1);
        c.setSpec(spec);
        create(c);
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName(CLAIM).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build());
        awaitReady(PostgresCluster.class, CLUSTER);
        try (Connection su = PgConnections.open(superuser("postgres")); Statement st = su.createStatement()) {
            st.execute("CREATE DATABASE bk_shop");
        }
        try (Connection db = PgConnections.open(superuser("bk_shop")); Statement st = db.createStatement()) {
            st.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)");
            st.execute("INSERT INTO orders SELECT g, 'customer ' || g FROM generate_series(1, 250) g");
        }
        prepared = true;
    }

    static PostgresBackupSpec logicalToPvc(String subPath) {
        var spec = new PostgresBackupSpec();
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setDatabases(List.of("bk_shop"));
        var target = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName(CLAIM);
        pvc.setSubPath(subPath);
        target.setPvc(pvc);
        spec.setTarget(target);
        return spec;
    }

    /** The backup bk-once of bk_shop to the PVC, made by the first test that needs it. */
    PostgresBackup backupOnce() {
        if (client.resources(PostgresBackup.class).inNamespace(ns()).withName("bk-once").get() == null) {
            var backup = new PostgresBackup();
            backup.setMetadata(new ObjectMetaBuilder().withName("bk-once").build());
            backup.setSpec(logicalToPvc("once"));
            create(backup);
        }
        return awaitReady(PostgresBackup.class, "bk-once");
    }

    @Test
    void aLogicalBackupToAPvcIsReadyWithChecksumsAndItsManifestOnTheVolume() throws Exception {
        PostgresBackup ready = backupOnce();
        var status = ready.getStatus();
        assertTrue(status.getSizeBytes() > 0, "size " + status.getSizeBytes());
        assertEquals(1, status.getFileCount());
        assertEquals(1, status.getFiles().size());
        assertTrue(status.getFiles().get(0).getSha256().matches("[0-9a-f]{64}"), status.getFiles().get(0).getSha256());
        assertTrue(status.getPostgresVersion().startsWith("15"), status.getPostgresVersion());
        assertEquals(List.of("bk_shop"), status.getDatabases());
        assertNotNull(status.getDuration());
        assertNotNull(status.getCompletionTime());
        assertEquals("pvc://" + CLAIM + "/once/" + status.getBackupId(), status.getLocation());

        Path manifestFile = sandbox.root().resolve("volumes").resolve(ns()).resolve(CLAIM).resolve("once")
                .resolve(status.getBackupId()).resolve(BackupManifest.FILE_NAME);
        assertTrue(Files.exists(manifestFile), manifestFile.toString());
        BackupManifest manifest = BackupManifest.fromJson(Files.readAllBytes(manifestFile));
        assertEquals(250L, manifest.rowCounts().get("bk_shop").get("public.orders"));
        assertEquals(status.getFiles().get(0).getSha256(), manifest.files().get(0).sha256());

        Job job = client.batch().v1().jobs().inNamespace(ns()).withName(status.getJobName()).get();
        String json = Serialization.asJson(job);
        char[] password = ClusterCredentials.read(client, ns(), CLUSTER + "-superuser", "password");
        assertFalse(json.contains(new String(password)), "no password in the Job");
        assertTrue(json.contains("secretKeyRef"), json);
    }

    @Test
    void aRestoreIntoANewDatabaseHasTheRows() throws Exception {
        backupOnce();
        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("bk-restore").build());
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference("bk-once"));
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setTargetDatabase("bk_shop_copy");
        restore.setSpec(spec);
        create(restore);
        PostgresRestore ready = awaitReady(PostgresRestore.class, "bk-restore");
        assertEquals(250L, ready.getStatus().getRowCounts().get("public.orders"), ready.getStatus().getRowCounts().toString());
        assertNotNull(ready.getStatus().getDuration());
        try (Connection db = PgConnections.open(superuser("bk_shop_copy")); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), max(customer) FROM orders")) {
            rs.next();
            assertEquals(250, rs.getInt(1));
            assertEquals("customer 99", rs.getString(2));
        }
    }

    /**
     * A restore that names a backup not made yet waits for it and is woken by the backup's own events: it appears
     * (BackupNotFound, Stalled, has no timer at all), then turns Ready (WaitingForBackup waits for the event, with only
     * the 90 s safety re-check in tests): the restore is Ready well within that.
     */
    @Test
    void aRestoreWaitingForItsBackupIsWokenByTheBackupsEvents() throws Exception {
        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("bk-restore-early").build());
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference("bk-late"));
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setTargetDatabase("bk_shop_late");
        restore.setSpec(spec);
        create(restore);
        awaitCondition(PostgresRestore.class, "bk-restore-early", "Stalled", "BackupNotFound");
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("bk-late").build());
        backup.setSpec(logicalToPvc("late"));
        create(backup);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(250))
                .until(() -> client.resources(PostgresRestore.class).inNamespace(ns()).withName("bk-restore-early").get(),
                        r -> r != null && io.shopdb.operator.status.Conditions.isReady(r.getStatus()));
    }

    @Test
    void anEncryptedBackupIsCiphertextOnTheVolumeAndRestoresOnlyWithItsKey() throws Exception {
        java.security.SecureRandom random = new java.security.SecureRandom();
        byte[] k1 = new byte[32];
        random.nextBytes(k1);
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("bk-keys").withNamespace(ns()).endMetadata()
                .addToStringData("k1", java.util.Base64.getEncoder().encodeToString(k1)).build()).create();
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("bk-enc").build());
        backup.setSpec(logicalToPvc("enc"));
        var encryption = new BackupTarget.Encryption();
        encryption.setKeySecret("bk-keys");
        encryption.setKeyId("k1");
        backup.getSpec().getTarget().setEncryption(encryption);
        create(backup);
        PostgresBackup ready = awaitReady(PostgresBackup.class, "bk-enc");
        Path folder = sandbox.root().resolve("volumes").resolve(ns()).resolve(CLAIM).resolve("enc").resolve(ready.getStatus().getBackupId());
        for (Path stored : List.of(folder.resolve(BackupManifest.FILE_NAME), folder.resolve(ready.getStatus().getFiles().get(0).getPath()))) {
            byte[] bytes = Files.readAllBytes(stored);
            assertEquals("SHOPDBE1", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII), stored + " is encrypted");
            assertFalse(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).contains("bk_shop"), stored + " shows nothing in clear");
        }

        restoreOf("bk-enc", "bk-restore-enc", "bk_shop_enc");
        PostgresRestore restored = awaitReady(PostgresRestore.class, "bk-restore-enc");
        assertEquals(250L, restored.getStatus().getRowCounts().get("public.orders"));

        // the key rotated away without keeping k1: the restore stops before anything is made, naming the key
        byte[] k2 = new byte[32];
        random.nextBytes(k2);
        client.secrets().inNamespace(ns()).withName("bk-keys").edit(sec -> {
            sec.setData(Map.of("k2", java.util.Base64.getEncoder().encodeToString(java.util.Base64.getEncoder().encodeToString(k2).getBytes())));
            return sec;
        });
        restoreOf("bk-enc", "bk-restore-nokey", "bk_shop_nokey");
        PostgresRestore stalled = awaitCondition(PostgresRestore.class, "bk-restore-nokey", "Stalled", "EncryptionKeyProblem");
        assertTrue(stalled.getStatus().getLastFailure().contains("'k1'"), stalled.getStatus().getLastFailure());
        try (Connection su = PgConnections.open(superuser("postgres")); Statement st = su.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'bk_shop_nokey'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing was created");
        }
    }

    private void restoreOf(String backup, String name, String targetDatabase) {
        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference(backup));
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setTargetDatabase(targetDatabase);
        restore.setSpec(spec);
        create(restore);
    }

    @Test
    void aRestoreIntoANonEmptyDatabaseWithoutOverwriteIsStalled() {
        backupOnce();
        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("bk-restore-refused").build());
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference("bk-once"));
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setTargetDatabase("bk_shop");
        restore.setSpec(spec);
        create(restore);
        PostgresRestore stalled = awaitCondition(PostgresRestore.class, "bk-restore-refused", "Stalled", "TargetNotEmpty");
        assertTrue(stalled.getStatus().getLastFailure().contains("TARGET_NOT_EMPTY"), stalled.getStatus().getLastFailure());
    }

    @Test
    void aCorruptedBackupIsNotRestoredAndTheRestoreIsStalledWithChecksumMismatch() throws Exception {
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("bk-corrupt").build());
        backup.setSpec(logicalToPvc("corrupt"));
        create(backup);
        PostgresBackup ready = awaitReady(PostgresBackup.class, "bk-corrupt");
        Path dump = sandbox.root().resolve("volumes").resolve(ns()).resolve(CLAIM).resolve("corrupt")
                .resolve(ready.getStatus().getBackupId()).resolve(ready.getStatus().getFiles().get(0).getPath());
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(dump, bytes);

        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("bk-restore-corrupt").build());
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference("bk-corrupt"));
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setTargetDatabase("bk_never");
        restore.setSpec(spec);
        create(restore);
        PostgresRestore stalled = awaitCondition(PostgresRestore.class, "bk-restore-corrupt", "Stalled", "ChecksumMismatch");
        assertTrue(stalled.getStatus().getLastFailure().contains("checksum mismatch"), stalled.getStatus().getLastFailure());
        assertEquals("bk-restore-corrupt-restore-1", stalled.getStatus().getJobName(), "not retried");
    }

    @Test
    void aScheduleWithKeepLastTwoRunThreeTimesLeavesTwoBackupsAndItsNewestIsVerified() throws Exception {
        var schedule = new PostgresBackupSchedule();
        schedule.setMetadata(new ObjectMetaBuilder().withName("bk-nightly").build());
        var spec = new PostgresBackupScheduleSpec();
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setSchedule("0 3 * * *");
        spec.setTimeZone("Europe/Berlin");
        spec.setImmediate(true);
        spec.setKeepLast(2);
        PostgresBackupSpec template = logicalToPvc("nightly");
        template.setClusterRef(null);
        template.setReclaimPolicy(ReclaimPolicy.Delete);
        spec.setTemplate(template);
        var verify = new PostgresBackupScheduleSpec.Verify();
        verify.setChecks(List.of("SELECT count(*) = 250 FROM orders"));
        spec.setVerify(verify);
        schedule.setSpec(spec);
        create(schedule);

        String first = await(PostgresBackupSchedule.class, "bk-nightly", s -> s.getStatus() != null
                && s.getStatus().getLastSuccessfulBackup() != null).getStatus().getLastSuccessfulBackup().getName();
        String previous = first;
        for (String token : List.of("run-2", "run-3")) {
            editSchedule("bk-nightly", s -> { }, token);
            String before = previous;
            previous = await(PostgresBackupSchedule.class, "bk-nightly", s -> s.getStatus().getLastSuccessfulBackup() != null
                    && !s.getStatus().getLastSuccessfulBackup().getName().equals(before)).getStatus().getLastSuccessfulBackup().getName();
        }
        String newest = previous;
        Path folder = sandbox.root().resolve("volumes").resolve(ns()).resolve(CLAIM).resolve("nightly");
        PostgresBackupSchedule done = await(PostgresBackupSchedule.class, "bk-nightly", s -> {
            var v = s.getStatus().getLastVerifiedRestore();
            return v != null && newest.equals(v.getBackup()) && backupsOf("bk-nightly").size() == 2 && backupFolders(folder) == 2;
        });
        assertTrue(done.getStatus().getLastVerifiedRestore().getOk(), done.getStatus().getLastVerifiedRestore().getMessage());
        List<String> names = backupsOf("bk-nightly");
        assertFalse(names.contains(first), "the oldest run is gone: " + names);
        assertTrue(names.contains(newest), names.toString());
        assertNotNull(done.getStatus().getNextScheduleTime());
        // 03:00 in Berlin is 01:00 or 02:00 UTC
        assertTrue(done.getStatus().getNextScheduleTime().matches(".*T0[12]:00:00Z"), done.getStatus().getNextScheduleTime());
    }

    @Test
    void aBackupWhosePodCannotStartSaysWhyInsteadOfRunningForEver() {
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("bk-no-creds").build());
        var spec = logicalToPvc("unused");
        var target = new BackupTarget();
        var s3 = new BackupTarget.S3();
        s3.setBucket("shop-backups");
        s3.setEndpoint("http://127.0.0.1:9");
        var creds = new BackupTarget.S3Credentials();
        creds.setName("bk-s3-creds-missing");
        s3.setCredentialsSecret(creds);
        target.setS3(s3);
        spec.setTarget(target);
        backup.setSpec(spec);
        create(backup);
        PostgresBackup stuck = awaitCondition(PostgresBackup.class, "bk-no-creds", "Reconciling", "CreateContainerConfigError");
        var message = Conditions.find(stuck.getStatus(), "Reconciling").getMessage();
        assertTrue(message.contains("bk-no-creds-backup-1 (attempt 1): its pod cannot start") && message.contains("bk-s3-creds-missing"), message);
        client.resource(stuck).delete();
    }

    @Test
    void aScheduleWhoseLastBackupOrDrillFailedIsNotReadyUntilALaterOneSucceeds() {
        var schedule = new PostgresBackupSchedule();
        schedule.setMetadata(new ObjectMetaBuilder().withName("bk-failing").build());
        var spec = new PostgresBackupScheduleSpec();
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setSchedule("0 3 * * *");
        spec.setImmediate(true);
        PostgresBackupSpec template = logicalToPvc("failing");
        template.setClusterRef(null);
        template.setDatabases(List.of("bk_no_such_database"));
        template.setRetries(0);
        spec.setTemplate(template);
        var verify = new PostgresBackupScheduleSpec.Verify();
        verify.setChecks(List.of("SELECT count(*) = 999 FROM orders"));
        spec.setVerify(verify);
        schedule.setSpec(spec);
        create(schedule);

        PostgresBackupSchedule failed = awaitCondition(PostgresBackupSchedule.class, "bk-failing", "Stalled", "BackupFailed");
        String failedRun = failed.getStatus().getLastFailure().getName();
        assertEquals("False", Conditions.find(failed.getStatus(), "Ready").getStatus());
        assertTrue(Conditions.find(failed.getStatus(), "Stalled").getMessage().contains("PostgresBackup " + failedRun + ", failed"),
                Conditions.find(failed.getStatus(), "Stalled").getMessage());

        // the next run backs up a real database, but its drill's check does not hold
        editSchedule("bk-failing", s -> s.getSpec().getTemplate().setDatabases(List.of("bk_shop")), "run-2");
        PostgresBackupSchedule drillFailed = awaitCondition(PostgresBackupSchedule.class, "bk-failing", "Stalled", "DrillFailed");
        assertTrue(Conditions.find(drillFailed.getStatus(), "Stalled").getMessage().contains(
                drillFailed.getStatus().getLastVerifiedRestore().getBackup()), "names the drilled backup");

        // suspended: it stays as suspension says (Ready, shown Suspended by Argo CD), failed drill or not
        editSchedule("bk-failing", s -> s.getSpec().setSuspend(true), null);
        PostgresBackupSchedule suspended = await(PostgresBackupSchedule.class, "bk-failing", s -> Conditions.isReady(s.getStatus()));
        assertTrue(Conditions.find(suspended.getStatus(), "Ready").getMessage().startsWith("Suspended"));

        // a later backup whose drill passes makes it Ready again
        editSchedule("bk-failing", s -> {
            s.getSpec().setSuspend(false);
            s.getSpec().getVerify().setChecks(List.of("SELECT count(*) = 250 FROM orders"));
        }, "run-3");
        PostgresBackupSchedule recovered = await(PostgresBackupSchedule.class, "bk-failing", s -> Conditions.isReady(s.getStatus())
                && s.getStatus().getLastVerifiedRestore() != null && s.getStatus().getLastVerifiedRestore().getOk());
        assertTrue(Conditions.find(recovered.getStatus(), "Ready").getMessage().startsWith("Schedule"));
        client.resource(recovered).delete();
    }

    private void editSchedule(String name, java.util.function.Consumer<PostgresBackupSchedule> change, String runNow) {
        client.resources(PostgresBackupSchedule.class).inNamespace(ns()).withName(name).edit(s -> {
            change.accept(s);
            if (runNow != null) {
                s.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of(PostgresBackupScheduleReconciler.RUN_NOW, runNow)));
            }
            return s;
        });
    }

    private List<String> backupsOf(String schedule) {
        return client.resources(PostgresBackup.class).inNamespace(ns()).withLabel(PostgresBackupScheduleReconciler.SCHEDULE_LABEL, schedule)
                .list().getItems().stream().map(b -> b.getMetadata().getName()).toList();
    }

    private static long backupFolders(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (var list = Files.list(folder)) {
            return list.filter(d -> Files.exists(d.resolve(BackupManifest.FILE_NAME))).count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    PgEndpoint superuser(String database) {
        char[] password = ClusterCredentials.read(client, ns(), CLUSTER + "-superuser", "password");
        return endpoint(CLUSTER + "-rw", database, "postgres", password);
    }
}
