package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.shopdb.operator.metrics.MetricsOperatorTest.sample;
import static io.shopdb.operator.metrics.MetricsOperatorTest.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * shopdb_backup_* and shopdb_migration_* as scraped from a running operator, against the statuses they are
 * computed from. One cluster serves both the backup and the migration (one cluster per class keeps it short).
 */
@QuarkusTest
class BackupMigrationMetricsOperatorTest extends OperatorTestBase {
    static final String CLUSTER = "mm-db";

    @Test
    void backupAndMigrationGaugesFollowTheStatuses() {
        clusterWithDatabase("mm", "");
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("mm-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build());
        scripts(Map.of("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);"));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: mm-schema}
                spec:
                  databaseRef: {name: mm}
                  sources: [{configMap: mm-scripts}]
                """, PostgresMigration.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: mm-once}
                spec:
                  clusterRef: {name: mm-db}
                  databases: [mm]
                  target: {pvc: {claimName: mm-store, subPath: once}}
                """, PostgresBackup.class));
        String namespace = "namespace=\"" + ns() + "\"";
        String cluster = "cluster=\"" + CLUSTER + "\"";
        String migration = "migration=\"mm-schema\"";

        // the backup: its completion time and size, exactly as in its status
        var status = awaitReady(PostgresBackup.class, "mm-once").getStatus();
        // the Job's completion time keeps milliseconds, and so does the gauge
        double completed = OffsetDateTime.parse(status.getCompletionTime()).toInstant().toEpochMilli() / 1000.0;
        // a publish registers new series one by one, so a scrape can land between two of them: wait for the whole set
        String body = until(b -> Objects.equals(completed, sample(b, "shopdb_backup_last_success_timestamp_seconds", namespace, cluster))
                && sample(b, "shopdb_backup_last_size_bytes", namespace, cluster) != null
                && sample(b, "shopdb_backup_last_duration_seconds", namespace, cluster) != null);
        assertEquals(status.getSizeBytes().doubleValue(), sample(body, "shopdb_backup_last_size_bytes", namespace, cluster));
        Double duration = sample(body, "shopdb_backup_last_duration_seconds", namespace, cluster);
        assertNotNull(duration, "duration of " + status.getDuration());
        assertTrue(duration >= 0, String.valueOf(duration));
        assertEquals(null, sample(body, "shopdb_backup_last_failure_timestamp_seconds", namespace, cluster), "no failed backup");

        // the migration applied: version 1, nothing pending, not failed
        awaitReady(PostgresMigration.class, "mm-schema");
        body = until(b -> Objects.equals(1.0, sample(b, "shopdb_migration_version_info", namespace, migration, "version=\"1\"")));
        assertEquals(0.0, sample(body, "shopdb_migration_pending", namespace, migration));
        assertEquals(0.0, sample(body, "shopdb_migration_failed", namespace, migration));

        // a broken V2: failed 1 and one script pending, the version stays 1
        scripts(Map.of("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);",
                "V2__u.sql", "ALTER TABLE t ADD COLUMN u bigint REFERENCES nowhere;"));
        awaitCondition(PostgresMigration.class, "mm-schema", Conditions.STALLED, "MigrationFailed");
        // the three series of one publish are registered one by one: wait for the failure and the pending script together
        body = until(b -> Objects.equals(1.0, sample(b, "shopdb_migration_failed", namespace, migration))
                && Objects.equals(1.0, sample(b, "shopdb_migration_pending", namespace, migration)));
        assertEquals(1.0, sample(body, "shopdb_migration_version_info", namespace, migration, "version=\"1\""));
    }

    /**
     * Scrapes until {@code done} holds (the metrics task refreshes every 2 s in tests). On timeout the message
     * carries only the shopdb_backup/migration lines, not the whole scrape.
     */
    private static String until(Predicate<String> done) {
        AtomicReference<String> last = new AtomicReference<>("");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> done.test(last.updateAndGet(x -> scrape())));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not reached; last scrape:\n" + last.get().lines()
                    .filter(l -> l.startsWith("shopdb_backup_") || l.startsWith("shopdb_migration_")).collect(Collectors.joining("\n")), e);
        }
        return last.get();
    }

    private void scripts(Map<String, String> data) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("mm-scripts").withNamespace(ns()).endMetadata()
                .withData(data).build()).createOr(existing -> existing.update());
    }
}
