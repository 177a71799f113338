package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.status.Conditions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * Backup health and migration state (shopdb_backup_*, shopdb_migration_*) computed from the statuses the
 * controllers already wrote, read from the informer caches by the metrics task: a scrape costs no API call and
 * no SQL, and the numbers are exactly what kubectl shows. Labels are namespace plus the cluster, schedule or
 * migration name, so the series are bounded by the number of resources; each refresh states the whole set, so a
 * deleted cluster, schedule or migration stops being exported.
 */
@ApplicationScoped
public class BackupMigrationMetrics {
    static final String BACKUP_LAST_SUCCESS = "shopdb_backup_last_success_timestamp_seconds";
    static final String BACKUP_LAST_FAILURE = "shopdb_backup_last_failure_timestamp_seconds";
    static final String BACKUP_LAST_SIZE = "shopdb_backup_last_size_bytes";
    static final String BACKUP_LAST_DURATION = "shopdb_backup_last_duration_seconds";
    static final String DRILL_TIME = "shopdb_backup_schedule_last_verified_restore_timestamp_seconds";
    static final String DRILL_OK = "shopdb_backup_schedule_last_verified_restore_ok";
    static final String MIGRATION_VERSION = "shopdb_migration_version_info";
    static final String MIGRATION_FAILED = "shopdb_migration_failed";
    static final String MIGRATION_PENDING = "shopdb_migration_pending";
    static final Set<String> NAMES = Set.of(BACKUP_LAST_SUCCESS, BACKUP_LAST_FAILURE, BACKUP_LAST_SIZE, BACKUP_LAST_DURATION,
            DRILL_TIME, DRILL_OK, MIGRATION_VERSION, MIGRATION_FAILED, MIGRATION_PENDING);

    @Inject MeterRegistry registry;
    @Inject PrimaryCaches caches;
    MeterSet meters;

    @PostConstruct
    void init() {
        meters = new MeterSet(registry);
    }

    /** Recomputes every series from the caches; called by the metrics task. */
    void refresh() {
        Map<MeterSet.Series, Double> next = new HashMap<>();
        backups(caches.of(PostgresBackup.class), caches.of(PostgresBackupSchedule.class), next);
        migrations(caches.of(PostgresMigration.class), next);
        var databases = caches.of(io.shopdb.operator.api.v1alpha1.PostgresDatabase.class);
        PartitionMetrics.series(databases, next);
        QueryBudgetMetrics.series(databases, next);
        var clusters = caches.of(io.shopdb.operator.api.v1alpha1.PostgresCluster.class);
        WalArchiveMetrics.series(clusters, next);
        StandbyMetrics.series(clusters, next);
        meters.publish(s -> NAMES.contains(s.name()) || PartitionMetrics.NAMES.contains(s.name()) || QueryBudgetMetrics.NAMES.contains(s.name())
                || WalArchiveMetrics.NAMES.contains(s.name()) || StandbyMetrics.NAMES.contains(s.name()), next);
    }

    /**
     * Per cluster: the newest Ready backup (its completion time, size and duration) and the newest failed one.
     * A schedule's lastSuccessfulBackup / lastFailure count too, so the timestamps survive the backup objects
     * being pruned by keepLast or deleted by hand.
     */
    static void backups(List<PostgresBackup> backups, List<PostgresBackupSchedule> schedules, Map<MeterSet.Series, Double> out) {
        Map<Tags, PostgresBackup> newest = new HashMap<>();
        Map<Tags, Double> newestAt = new HashMap<>();
        for (PostgresBackup b : backups) {
            var status = b.getStatus();
            if (status == null || b.getSpec() == null || b.getSpec().getClusterRef() == null) {
                continue;
            }
            Tags cluster = Tags.of("namespace", b.getMetadata().getNamespace(), "cluster", b.getSpec().getClusterRef().getName());
            Double done = epochSeconds(status.getCompletionTime());
            if (done == null) {
                continue; // still running
            }
            if (Conditions.isReady(status)) {
                if (done > newestAt.getOrDefault(cluster, Double.NEGATIVE_INFINITY)) {
                    newest.put(cluster, b);
                    newestAt.put(cluster, done);
                }
            } else if (Conditions.isTrue(status, Conditions.STALLED)) {
                out.merge(gauge(BACKUP_LAST_FAILURE, cluster), done, Math::max);
            }
        }
        newest.forEach((cluster, b) -> {
            out.merge(gauge(BACKUP_LAST_SUCCESS, cluster), newestAt.get(cluster), Math::max);
            if (b.getStatus().getSizeBytes() != null) {
                out.put(gauge(BACKUP_LAST_SIZE, cluster), b.getStatus().getSizeBytes().doubleValue());
            }
            Double seconds = seconds(b.getStatus().getDuration());
            if (seconds != null) {
                out.put(gauge(BACKUP_LAST_DURATION, cluster), seconds);
            }
        });
        for (PostgresBackupSchedule s : schedules) {
            PostgresBackupScheduleStatus status = s.getStatus();
            if (status == null) {
                continue;
            }
            String ns = s.getMetadata().getNamespace();
            if (s.getSpec() != null && s.getSpec().getClusterRef() != null) {
                Tags cluster = Tags.of("namespace", ns, "cluster", s.getSpec().getClusterRef().getName());
                mergeTime(out, BACKUP_LAST_SUCCESS, cluster, status.getLastSuccessfulBackup());
                mergeTime(out, BACKUP_LAST_FAILURE, cluster, status.getLastFailure());
            }
            var drill = status.getLastVerifiedRestore();
            Double drillAt = drill == null ? null : epochSeconds(drill.getTime());
            if (drillAt != null) {
                Tags schedule = Tags.of("namespace", ns, "schedule", s.getMetadata().getName());
                out.put(gauge(DRILL_TIME, schedule), drillAt);
                out.put(gauge(DRILL_OK, schedule), Boolean.TRUE.equals(drill.getOk()) ? 1.0 : 0.0);
            }
        }
    }

    /**
     * Per migration: the schema version as a label (Flyway versions such as 1.2.1 are not numbers), the
     * scripts not applied yet, and failed = Stalled because of a script (an SQL error or a changed applied
     * script, i.e. status.failure is set); a Stalled spec problem is not a failed migration.
     */
    static void migrations(List<PostgresMigration> migrations, Map<MeterSet.Series, Double> out) {
        for (PostgresMigration m : migrations) {
            var status = m.getStatus();
            Tags tags = Tags.of("namespace", m.getMetadata().getNamespace(), "migration", m.getMetadata().getName());
            boolean failed = status != null && status.getFailure() != null && Conditions.isTrue(status, Conditions.STALLED);
            out.put(gauge(MIGRATION_FAILED, tags), failed ? 1.0 : 0.0);
            if (status == null) {
                continue;
            }
            if (status.getCurrentVersion() != null) {
                out.put(gauge(MIGRATION_VERSION, tags.and("version", status.getCurrentVersion())), 1.0);
            }
            if (status.getPendingCount() != null) {
                out.put(gauge(MIGRATION_PENDING, tags), status.getPendingCount().doubleValue());
            }
        }
    }

    private static void mergeTime(Map<MeterSet.Series, Double> out, String name, Tags tags, PostgresBackupScheduleStatus.BackupRef ref) {
        Double at = ref == null ? null : epochSeconds(ref.getTime());
        if (at != null) {
            out.merge(gauge(name, tags), at, Math::max);
        }
    }

    /** RFC 3339 (with Z or an offset) to epoch seconds; null when absent or unreadable (a hand-edited status). */
    static Double epochSeconds(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli() / 1000.0;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The status' duration as AgentResults writes it ("12.3s", "4m2.0s") in seconds. */
    static Double seconds(String duration) {
        if (duration == null || duration.isBlank()) {
            return null;
        }
        try {
            return io.shopdb.operator.api.v1alpha1.Names.duration(duration).toMillis() / 1000.0;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
