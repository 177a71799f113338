package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The status-to-series rules that the operator test does not reach: failures, drills, schedules, parsing. */
class BackupMigrationMetricsTest {
    static final Tags CLUSTER = Tags.of("namespace", "shop", "cluster", "db");

    static PostgresBackup backup(String name, String condition, String completion, long size, String duration) {
        return Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: %s, namespace: shop}
                spec: {clusterRef: {name: db}}
                status:
                  completionTime: "%s"
                  sizeBytes: %d
                  duration: "%s"
                  conditions: [{type: %s, status: "True"}]
                """.formatted(name, completion, size, duration, condition), PostgresBackup.class);
    }

    @Test
    void newestReadyBackupWinsAndAFailedOneIsAFailureNotASuccess() {
        Map<MeterSet.Series, Double> out = new HashMap<>();
        BackupMigrationMetrics.backups(List.of(
                backup("old", "Ready", "2026-01-01T00:00:00Z", 100, "1.0s"),
                backup("new", "Ready", "2026-01-02T00:00:00.500Z", 200, "4m2.5s"),
                backup("broken", "Stalled", "2026-01-03T00:00:00Z", 0, "")), List.of(), out);
        assertEquals(1767312000.5, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_SUCCESS, CLUSTER)));
        assertEquals(200.0, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_SIZE, CLUSTER)));
        assertEquals(242.5, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_DURATION, CLUSTER)));
        assertEquals(1767398400.0, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_FAILURE, CLUSTER)));
    }

    /** keepLast may have pruned the backup objects; the schedule still knows when the last one succeeded. */
    @Test
    void aScheduleKeepsTheTimestampsAndReportsItsDrill() {
        var schedule = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackupSchedule
                metadata: {name: nightly, namespace: shop}
                spec: {clusterRef: {name: db}}
                status:
                  lastSuccessfulBackup: {name: nightly-3, time: "2026-01-05T00:00:00Z"}
                  lastVerifiedRestore: {backup: nightly-3, time: "2026-01-05T01:00:00+01:00", ok: false, message: "orders: 249 rows, expected 250"}
                """, PostgresBackupSchedule.class);
        Map<MeterSet.Series, Double> out = new HashMap<>();
        BackupMigrationMetrics.backups(List.of(backup("old", "Ready", "2026-01-01T00:00:00Z", 100, "1.0s")), List.of(schedule), out);
        assertEquals(1767571200.0, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_SUCCESS, CLUSTER)));
        assertEquals(100.0, out.get(gauge(BackupMigrationMetrics.BACKUP_LAST_SIZE, CLUSTER)), "size only from a backup object");
        Tags nightly = Tags.of("namespace", "shop", "schedule", "nightly");
        assertEquals(1767571200.0, out.get(gauge(BackupMigrationMetrics.DRILL_TIME, nightly)));
        assertEquals(0.0, out.get(gauge(BackupMigrationMetrics.DRILL_OK, nightly)));
    }

    /** A failure recorded while a connection problem is retried (Reconciling) is not a failed migration. */
    @Test
    void onlyAStalledScriptFailureCountsAsFailed() {
        var retrying = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: app, namespace: shop}
                status:
                  currentVersion: "1.2.1"
                  pendingCount: 2
                  failure: {message: connection refused}
                  conditions: [{type: Reconciling, status: "True"}, {type: Stalled, status: "False"}]
                """, PostgresMigration.class);
        Map<MeterSet.Series, Double> out = new HashMap<>();
        BackupMigrationMetrics.migrations(List.of(retrying), out);
        Tags app = Tags.of("namespace", "shop", "migration", "app");
        assertEquals(0.0, out.get(gauge(BackupMigrationMetrics.MIGRATION_FAILED, app)));
        assertEquals(2.0, out.get(gauge(BackupMigrationMetrics.MIGRATION_PENDING, app)));
        assertEquals(1.0, out.get(gauge(BackupMigrationMetrics.MIGRATION_VERSION, app.and("version", "1.2.1"))));
        assertNull(BackupMigrationMetrics.epochSeconds("yesterday"));
    }
}
