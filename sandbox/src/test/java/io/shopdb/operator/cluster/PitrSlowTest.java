package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WAL archiving and point-in-time recovery end to end in the sandbox, encrypted on the client (target.encryption): a
 * cluster with spec.walArchive (its wal-archiver sidecar runs as a local agent process), rows committed at t1 < t2 < t3, a new cluster recovered to a point between t2
 * and t3 holding exactly the rows committed before it, a target before the backup refused, and retention that deletes
 * only WAL older than the oldest kept backup.
 */
@QuarkusTest
class PitrSlowTest extends OperatorTestBase {

    PgEndpoint superuser(String cluster, String database) {
        char[] password = ClusterCredentials.read(client, ns(), cluster + "-superuser", "password");
        return endpoint(cluster + "-rw", database, "postgres", password);
    }

    String sql(String cluster, String query) throws SQLException {
        try (Connection c = PgConnections.open(superuser(cluster, "postgres")); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    void exec(String cluster, String... statements) throws SQLException {
        try (Connection c = PgConnections.open(superuser(cluster, "postgres")); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    static final String NOW = "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    void backup(String name, String cluster) {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: %s}
                spec: {clusterRef: {name: %s}, method: physical, target: {pvc: {claimName: pitr-store, subPath: base}, encryption: {keySecret: pitr-keys, keyId: k1}}}
                """.formatted(name, cluster), PostgresBackup.class));
        awaitReady(PostgresBackup.class, name);
    }

    PostgresCluster recovered(String name, String recovery) {
        return create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %s}
                spec:
                  instances: 1
                  bootstrap: {fromBackup: {backupRef: {name: pitr-base}, recovery: %s}}
                """.formatted(name, recovery), PostgresCluster.class));
    }

    /** Segment files in the sandbox volume of the archive (PVC pitr-store, subPath arch), in the source's folder. */
    List<String> archivedSegments() throws Exception {
        var source = client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-src").get();
        String folder = "wal/" + ns() + "/pitr-src/" + source.getMetadata().getUid();
        assertEquals(folder, source.getStatus().getWalArchive().getPrefix(), "a folder of this cluster object's own");
        Path dir = sandbox.root().resolve("volumes").resolve(ns()).resolve("pitr-store").resolve("arch").resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString().split("\\.")[0]).filter(WalNames::isSegment).sorted().toList();
        }
    }

    @Test
    void recoversToAPointInTimeAndKeepsTheWalItsBackupsNeed() throws Exception {
        // backups and archive encrypted on the client: every step below (archiving, base backup, unpack, WAL replay,
        // retention, the drill) goes through the key Secret
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("pitr-keys").withNamespace(ns()).endMetadata()
                .addToStringData("k1", java.util.Base64.getEncoder().encodeToString(key)).build()).create();
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("pitr-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: pitr-src}
                spec:
                  instances: 1
                  walArchive: {target: {pvc: {claimName: pitr-store, subPath: arch}, encryption: {keySecret: pitr-keys, keyId: k1}}, archiveTimeout: 60}
                """, PostgresCluster.class));
        awaitReady(PostgresCluster.class, "pitr-src");
        String beforeBackup = sql("pitr-src", NOW);
        exec("pitr-src", "CREATE TABLE orders (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        backup("pitr-base", "pitr-src");
        var source = client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-src").get();
        assertEquals(source.getStatus().getWalArchive().getPrefix(),
                client.resources(PostgresBackup.class).inNamespace(ns()).withName("pitr-base").get().getStatus().getWalArchivePrefix(),
                "the backup records where its WAL goes, for a recovery after the source is gone");

        exec("pitr-src", "INSERT INTO orders (id) VALUES (1)");   // t1
        exec("pitr-src", "INSERT INTO orders (id) VALUES (2)");   // t2
        // a named restore point, as a pipeline would ask for one before a migration
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-src")
                .edit(c -> {
                    var annotations = new java.util.HashMap<>(c.getMetadata().getAnnotations() == null ? java.util.Map.of() : c.getMetadata().getAnnotations());
                    annotations.put(ClusterWalArchive.RESTORE_POINT_ANNOTATION, "before-order-3");
                    c.getMetadata().setAnnotations(annotations);
                    return c;
                });
        await(PostgresCluster.class, "pitr-src", c -> c.getStatus().getWalArchive() != null && c.getStatus().getWalArchive().getLastRestorePoint() != null
                && "before-order-3".equals(c.getStatus().getWalArchive().getLastRestorePoint().getName()));
        String target = sql("pitr-src", NOW);                      // between t2 and t3
        Thread.sleep(20);
        exec("pitr-src", "INSERT INTO orders (id) VALUES (3)");   // t3
        String switched = sql("pitr-src", "SELECT pg_walfile_name(pg_switch_wal())");
        PostgresCluster src = await(PostgresCluster.class, "pitr-src", c -> c.getStatus().getWalArchive() != null
                && c.getStatus().getWalArchive().getLastArchivedWal() != null
                && c.getStatus().getWalArchive().getLastArchivedWal().compareTo(switched) >= 0);
        var wal = src.getStatus().getWalArchive();
        assertEquals(0L, wal.getFailedCount(), "no failed archive attempt");
        assertNotNull(wal.getRecoverableFrom(), "the window starts at the backup");
        assertEquals(wal.getLastArchivedTime(), wal.getRecoverableUntil());
        assertTrue(archivedSegments().contains(switched), archivedSegments().toString());

        // t1 < t2 < target < t3: exactly the rows committed before the target
        recovered("pitr-copy", "{targetTime: \"" + target + "\"}");
        awaitReady(PostgresCluster.class, "pitr-copy");
        var sts = client.apps().statefulSets().inNamespace(ns()).withName("pitr-copy").get();
        assertEquals(List.of("restore", "recover"), sts.getSpec().getTemplate().getSpec().getInitContainers().stream().map(c -> c.getName()).toList());
        assertEquals("{1,2}", sql("pitr-copy", "SELECT array_agg(id ORDER BY id)::text FROM orders"));
        assertEquals("00000002", sql("pitr-copy", "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), "promoted onto timeline 2");
        exec("pitr-copy", "INSERT INTO orders (id) VALUES (4)"); // a primary of its own

        // the same point by its name
        recovered("pitr-named", "{targetName: before-order-3}");
        awaitReady(PostgresCluster.class, "pitr-named");
        assertEquals("{1,2}", sql("pitr-named", "SELECT array_agg(id ORDER BY id)::text FROM orders"));

        // a target before the backup is refused with the reason, and nothing is created
        recovered("pitr-early", "{targetTime: \"" + beforeBackup + "\"}");
        PostgresCluster early = awaitCondition(PostgresCluster.class, "pitr-early", "Stalled", "InvalidSpec");
        String message = Conditions.find(early.getStatus(), "Stalled").getMessage();
        assertTrue(message.contains("is before PostgresBackup pitr-base completed"), message);
        assertEquals(null, client.apps().statefulSets().inNamespace(ns()).withName("pitr-early").get());

        // retention: with a newer backup and the first one gone (as keepLast does), WAL older than the newer backup's
        // start goes, and the WAL the kept backup needs stays
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-copy").delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-named").delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-early").delete();
        String firstKeep = src.getStatus().getWalArchive().getKeepFrom();
        assertNotNull(firstKeep);
        backup("pitr-second", "pitr-src");
        client.resources(PostgresBackup.class).inNamespace(ns()).withName("pitr-base").delete();
        PostgresCluster moved = await(PostgresCluster.class, "pitr-src", c -> c.getStatus().getWalArchive().getKeepFrom() != null
                && c.getStatus().getWalArchive().getKeepFrom().compareTo(firstKeep) > 0);
        String keepFrom = moved.getStatus().getWalArchive().getKeepFrom();
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            ConfigMap cm = client.configMaps().inNamespace(ns()).withName("pitr-src-config").get();
            return keepFrom.equals(cm.getData().get(ClusterObjects.WAL_KEEP_FROM_KEY)) && !archivedSegments().isEmpty()
                    && WalNames.segmentOf(archivedSegments().get(0)).number() >= WalNames.segmentOf(keepFrom).number();
        });
        List<String> left = archivedSegments();
        Path archived;
        try (Stream<Path> files = Files.list(sandbox.root().resolve("volumes").resolve(ns()).resolve("pitr-store").resolve("arch")
                .resolve(src.getStatus().getWalArchive().getPrefix()))) {
            archived = files.filter(f -> WalNames.isSegment(f.getFileName().toString().split("\\.")[0])).findFirst().orElseThrow();
        }
        try (var in = Files.newInputStream(archived)) {
            assertEquals("SHOPDBE1", new String(in.readNBytes(8), java.nio.charset.StandardCharsets.US_ASCII), archived + " is stored encrypted");
        }
        assertTrue(left.stream().noneMatch(s -> WalNames.segmentOf(s).number() < WalNames.segmentOf(keepFrom).number()), left.toString());
        assertTrue(left.contains(keepFrom), "the kept backup's first segment stays: " + left);

        // a restore drill as a point-in-time recovery: a schedule's physical backup plus the archive, checked at the
        // end of the archive (all three orders are there), then the scratch cluster is gone
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackupSchedule
                metadata: {name: pitr-nightly}
                spec:
                  clusterRef: {name: pitr-src}
                  schedule: "0 3 * * *"
                  immediate: true
                  template: {method: physical, target: {pvc: {claimName: pitr-store, subPath: base}, encryption: {keySecret: pitr-keys, keyId: k1}}}
                  verify: {pointInTime: true, checks: ["SELECT count(*) = 3 FROM orders", "SELECT NOT pg_is_in_recovery()"]}
                """, io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule.class));
        var drilled = await(io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule.class, "pitr-nightly",
                s -> s.getStatus() != null && s.getStatus().getLastVerifiedRestore() != null);
        var verified = drilled.getStatus().getLastVerifiedRestore();
        assertTrue(verified.getOk(), verified.getMessage());
        assertTrue(verified.getMessage().contains("to the end of the archive") && verified.getMessage().contains("2 check(s) passed"), verified.getMessage());
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                client.resources(PostgresCluster.class).inNamespace(ns()).withName("pitr-nightly-drill").get() == null);
    }
}
