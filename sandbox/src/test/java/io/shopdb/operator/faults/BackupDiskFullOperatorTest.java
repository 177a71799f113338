package io.shopdb.operator.faults;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.agent.BackupManifest;
import io.shopdb.operator.agent.Checksums;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup volume that fills up mid-backup: the claim's directory is a real size-limited filesystem (a 2 MiB
 * tmpfs mounted over it, so the kernel answers ENOSPC as a full disk does; mounting needs root, which CI has,
 * see .ci/run). The first backup fits; the second, after 4 MB of incompressible rows, cannot. It ends Stalled
 * with reason StorageFull and a message naming the volume, leaves no manifest and no partial file, and the
 * first backup's files are untouched, byte for byte.
 */
@QuarkusTest
class BackupDiskFullOperatorTest extends OperatorTestBase {
    static final String CLUSTER = "df-db";
    static final String CLAIM = "df-store";

    @Test
    void aFullVolumeFailsTheBackupWithAClearReasonAndLeavesThePreviousOneIntact() throws Exception {
        var cluster = new PostgresCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(CLUSTER).build());
        cluster.setSpec(new PostgresClusterSpec());
        cluster.getSpec().setInstances(1);
        create(cluster);
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName(CLAIM).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("2Mi")).endResources().endSpec()
                .build());
        Path volume = sandbox.root().resolve("volumes").resolve(ns()).resolve(CLAIM);
        mountTmpfs(volume, "2m");
        try {
            awaitReady(PostgresCluster.class, CLUSTER);
            try (Connection su = PgConnections.open(superuser("postgres")); Statement st = su.createStatement()) {
                st.execute("CREATE DATABASE df_shop");
            }
            try (Connection db = PgConnections.open(superuser("df_shop")); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)");
                st.execute("INSERT INTO orders SELECT g, 'customer ' || g FROM generate_series(1, 250) g");
            }
            PostgresBackup first = backup("df-1");
            assertTrue(Conditions.isReady(first.getStatus()), "the first backup fits");
            Path firstDir = volume.resolve("nightly").resolve(first.getStatus().getBackupId());
            Map<String, String> firstFiles = fingerprints(firstDir);
            assertTrue(firstFiles.containsKey(BackupManifest.FILE_NAME), firstFiles.toString());

            try (Connection db = PgConnections.open(superuser("df_shop")); Statement st = db.createStatement()) {
                // random bytes: compression cannot make them fit
                st.execute("CREATE TABLE images AS SELECT g AS id, decode(string_agg(md5(random()::text), ''), 'hex') AS data"
                        + " FROM generate_series(1, 4) g, generate_series(1, 65536) h GROUP BY g");
            }
            PostgresBackup full = backup("df-2");
            var stalled = Conditions.find(full.getStatus(), Conditions.STALLED);
            assertEquals("True", stalled.getStatus(), "the full volume is for a person to fix: " + full.getStatus().getConditions());
            assertEquals("StorageFull", stalled.getReason());
            String message = stalled.getMessage();
            assertTrue(message.contains("no space left on the backup volume " + volume.resolve("nightly")), message);
            assertTrue(message.contains("tmpfs"), "names the filesystem: " + message);
            assertTrue(message.contains("grow") || message.contains("larger volume"), "says what to do: " + message);
            assertEquals(1, full.getStatus().getAttempts(), "not retried as it is: it would fail the same way");

            // nothing of the failed backup claims anything: no manifest, no partial or temporary file
            try (Stream<Path> all = Files.walk(volume)) {
                List<Path> files = all.filter(Files::isRegularFile).toList();
                assertTrue(files.stream().allMatch(f -> f.startsWith(firstDir)), "only the first backup's files remain: " + files);
            }
            assertEquals(firstFiles, fingerprints(firstDir), "the first backup is untouched");
            PostgresBackup firstAfter = client.resources(PostgresBackup.class).inNamespace(ns()).withName("df-1").get();
            assertTrue(Conditions.isReady(firstAfter.getStatus()));
            firstAfter.getStatus().getFiles().forEach(f -> assertEquals(f.getSha256(),
                    firstFiles.get(f.getPath()).split(" ")[0], "status checksum of " + f.getPath()));
        } finally {
            umount(volume);
        }
    }

    private PostgresBackup backup(String name) {
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresBackupSpec();
        spec.setClusterRef(new LocalReference(CLUSTER));
        spec.setDatabases(List.of("df_shop"));
        var target = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName(CLAIM);
        pvc.setSubPath("nightly");
        target.setPvc(pvc);
        spec.setTarget(target);
        backup.setSpec(spec);
        create(backup);
        return await(PostgresBackup.class, name, b -> Conditions.isReady(b.getStatus())
                || Conditions.find(b.getStatus(), Conditions.STALLED) != null && "True".equals(Conditions.find(b.getStatus(), Conditions.STALLED).getStatus()));
    }

    /** path relative to the backup's directory → "sha256 size mtime". */
    private static Map<String, String> fingerprints(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                FileTime modified = Files.getLastModifiedTime(f);
                out.put(dir.relativize(f).toString(), Checksums.of(f).sha256() + " " + Files.size(f) + " " + modified);
            }
        }
        return out;
    }

    private PgEndpoint superuser(String database) {
        char[] password = ClusterCredentials.read(client, ns(), CLUSTER + "-superuser", "password");
        return endpoint(CLUSTER + "-rw", database, "postgres", password);
    }

    /** A real size-limited filesystem over the claim's directory: mount(8) needs root (CAP_SYS_ADMIN). */
    private static void mountTmpfs(Path dir, String size) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "this test mounts a " + size + " tmpfs and needs root (CAP_SYS_ADMIN), as .ci/run has: " + out);
    }

    private static void umount(Path dir) throws Exception {
        new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor();
    }
}
