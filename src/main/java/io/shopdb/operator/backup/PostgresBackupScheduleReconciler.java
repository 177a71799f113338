package io.shopdb.operator.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.shopdb.operator.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus.BackupRef;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus.VerifiedRestore;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.cluster.ClusterAccess;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PostgresBackupSchedule: observe its backups → record results → restore drill of the newest good backup →
 * retention → start a run when due → report. Runs are PostgresBackups owned by the schedule, named
 * {@code <schedule>-<yyyyMMddHHmmss>} (UTC). A run is due at a cron time, at once with {@code immediate: true}
 * (first run), or when the annotation {@value #RUN_NOW} gets a new value. concurrencyPolicy Forbid: a cron time
 * that passes while a run is active is skipped (as CronJob does); a run-now request waits for it instead.
 * Cron precision is the re-check interval (shopdb.recheck-interval, 60 s) plus Events from owned backups/Jobs.
 */
// not generation-aware: the run-now annotation (metadata only) must wake the schedule at once
@ControllerConfiguration(name = "postgresbackupschedule", generationAwareEventProcessing = false)
public class PostgresBackupScheduleReconciler implements Reconciler<PostgresBackupSchedule> {
    public static final String RUN_NOW = "shopdb.io/run-now";
    public static final String SCHEDULE_LABEL = "shopdb.io/schedule";
    static final String BACKUP_LABEL = "shopdb.io/backup";
    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject KubernetesClient client;
    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobRunner jobs;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;
    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, PostgresBackupSchedule>> prepareEventSources(EventSourceContext<PostgresBackupSchedule> context) {
        var backups = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresBackup.class, PostgresBackupSchedule.class)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PostgresBackupSchedule.class)).build(), context);
        return List.of(backups, AgentJobRunner.jobEvents(PostgresBackupSchedule.class, context));
    }

    @Override
    public UpdateControl<PostgresBackupSchedule> reconcile(PostgresBackupSchedule schedule, Context<PostgresBackupSchedule> context) {
        return statusWriter.run(schedule, PostgresBackupScheduleStatus::new, status -> {
            PostgresBackupScheduleSpec spec = schedule.getSpec();
            List<String> problems = new ArrayList<>(BackupSpecs.problems(spec.getTemplate()).stream().map(p -> p.replace("spec.", "spec.template.")).toList());
            String cronProblem = ScheduleMath.problem(spec.getSchedule(), spec.getTimeZone());
            if (cronProblem != null) {
                problems.add(cronProblem);
            }
            Duration maxAge;
            try {
                maxAge = ScheduleMath.parseDuration(spec.getMaxAge());
            } catch (IllegalArgumentException e) {
                maxAge = null;
                problems.add("spec.maxAge: " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", problems));
            }
            Instant now = clock.instant();
            List<PostgresBackup> backups = ownedBackups(schedule);
            recordResults(status, backups);
            String verifying = drill(schedule, status, backups);
            retention(schedule, backups, maxAge, now, verifying);
            List<PostgresBackup> active = backups.stream().filter(b -> !finished(b)).toList();
            status.setActiveBackup(active.isEmpty() ? null : active.get(0).getMetadata().getName());

            boolean suspended = Boolean.TRUE.equals(spec.getSuspend());
            String runNow = schedule.getMetadata().getAnnotations() == null ? null : schedule.getMetadata().getAnnotations().get(RUN_NOW);
            boolean runNowPending = runNow != null && !runNow.equals(status.getHandledRunNow());
            Instant since = status.getLastScheduleTime() != null ? Instant.parse(status.getLastScheduleTime())
                    : Instant.parse(schedule.getMetadata().getCreationTimestamp());
            boolean cronDue = ScheduleMath.cronDue(spec.getSchedule(), spec.getTimeZone(), since, now);
            boolean firstImmediate = Boolean.TRUE.equals(spec.getImmediate()) && status.getLastScheduleTime() == null;
            if (!suspended && (runNowPending || firstImmediate || cronDue)) {
                if (active.isEmpty()) {
                    String name = startRun(schedule, now);
                    status.setActiveBackup(name);
                    status.setLastScheduleTime(now.toString());
                    status.setHandledRunNow(runNow);
                } else if (cronDue && !runNowPending) {
                    events.normal(schedule, "RunSkipped", "A run was due but " + active.get(0).getMetadata().getName()
                            + " is still active (concurrencyPolicy: Forbid)");
                    status.setLastScheduleTime(now.toString());
                }
            }
            Instant next = suspended ? null : ScheduleMath.next(spec.getSchedule(), spec.getTimeZone(),
                    status.getLastScheduleTime() != null ? Instant.parse(status.getLastScheduleTime()) : since).orElse(null);
            status.setNextScheduleTime(next == null ? null : next.toString());
            if (suspended) {
                return Outcome.ready(Reasons.READY, "Suspended: no new runs");
            }
            return Outcome.ready(Reasons.READY, "Schedule \"" + spec.getSchedule() + "\" ("
                    + ScheduleMath.zone(spec.getTimeZone()) + "); next run at " + status.getNextScheduleTime());
        });
    }

    /** lastSuccessfulBackup and lastFailure from the owned backups that ended. */
    private static void recordResults(PostgresBackupScheduleStatus status, List<PostgresBackup> backups) {
        backups.stream().filter(b -> finished(b) && Conditions.isReady(b.getStatus()))
                .max(Comparator.comparing(b -> b.getStatus().getCompletionTime()))
                .ifPresent(b -> status.setLastSuccessfulBackup(new BackupRef(b.getMetadata().getName(), b.getStatus().getCompletionTime(), null)));
        backups.stream().filter(b -> finished(b) && !Conditions.isReady(b.getStatus()))
                .max(Comparator.comparing(b -> b.getStatus().getCompletionTime()))
                .ifPresent(b -> status.setLastFailure(new BackupRef(b.getMetadata().getName(), b.getStatus().getCompletionTime(),
                        Conditions.find(b.getStatus(), Conditions.STALLED) == null ? null : Conditions.find(b.getStatus(), Conditions.STALLED).getMessage())));
    }

    /**
     * The restore drill: once per successful backup, newest first, one Job at a time. Returns the name of the
     * backup under drill (retention must not delete it meanwhile), or null.
     */
    private String drill(PostgresBackupSchedule schedule, PostgresBackupScheduleStatus status, List<PostgresBackup> backups) {
        var verify = schedule.getSpec().getVerify();
        if (status.getActiveVerifyJob() != null) {
            Job job = jobs.get(ns(schedule), status.getActiveVerifyJob());
            if (job == null) {
                status.setActiveVerifyJob(null);
                return null;
            }
            String backupName = job.getMetadata().getLabels().get(BACKUP_LABEL);
            AgentJobRunner.Observed seen = jobs.observe(job);
            if (seen.state() == AgentJobRunner.State.RUNNING) {
                return backupName;
            }
            var result = AgentResults.parse(seen.message());
            VerifiedRestore v = new VerifiedRestore();
            v.setBackup(backupName);
            v.setTime(seen.completionTime() != null ? seen.completionTime() : clock.instant().toString());
            v.setOk(seen.state() == AgentJobRunner.State.SUCCEEDED);
            v.setMessage(v.getOk() ? "row counts and checks match (" + AgentResults.duration(
                    result.get("durationMillis") instanceof Number n ? n.longValue() : null) + ")" : drillFailure(seen, result));
            status.setLastVerifiedRestore(v);
            status.setActiveVerifyJob(null);
            if (v.getOk()) {
                events.normal(schedule, "RestoreDrillPassed", "Backup " + backupName + " restored and verified");
            } else {
                events.warning(schedule, "RestoreDrillFailed", "Backup " + backupName + ": " + v.getMessage());
            }
            jobs.delete(ns(schedule), job.getMetadata().getName());
            return null;
        }
        if (verify == null || !verify.isEnabled() || status.getLastSuccessfulBackup() == null) {
            return null;
        }
        String newest = status.getLastSuccessfulBackup().getName();
        if (status.getLastVerifiedRestore() != null && newest.equals(status.getLastVerifiedRestore().getBackup())) {
            return null;
        }
        PostgresBackup backup = backups.stream().filter(b -> b.getMetadata().getName().equals(newest)).findFirst().orElse(null);
        if (backup == null || backup.getSpec().getMethod() != PostgresBackupSpec.BackupMethod.logical) {
            return null; // physical backups are checked by pg_verifybackup at backup time; drills restore dumps
        }
        ClusterAccess.Target target;
        try {
            target = clusters.readyCluster(ns(schedule), schedule.getSpec().getClusterRef().getName());
        } catch (ClusterAccess.WaitingException e) {
            return null; // the next reconcile tries again
        }
        List<String> command = new ArrayList<>(List.of("verify", "--backup-id", backup.getStatus().getBackupId()));
        if (verify.getDatabase() != null) {
            command.addAll(List.of("--database", verify.getDatabase()));
        }
        for (String check : verify.getChecks()) {
            command.addAll(List.of("--check", check));
        }
        String jobName = AgentJobs.jobName(newest, "verify");
        if (jobs.get(ns(schedule), jobName) == null) {
            Job job = AgentJobs.build(schedule, jobName, config.agent().image(), AgentJobs.server(target.cluster()),
                    backup.getSpec().getTarget(), command);
            job.getMetadata().getLabels().put(BACKUP_LABEL, newest);
            jobs.create(job);
            events.normal(schedule, "RestoreDrillStarted", "Job " + jobName + " restores " + newest + " into a scratch database and verifies it");
        }
        status.setActiveVerifyJob(jobName);
        return newest;
    }

    private static String drillFailure(AgentJobRunner.Observed seen, Map<String, Object> result) {
        if (result.get("mismatches") instanceof List<?> m && !m.isEmpty()) {
            return "mismatches: " + String.join("; ", m.stream().map(String::valueOf).toList());
        }
        return AgentResults.failure(seen.exitCode(), result).message();
    }

    private void retention(PostgresBackupSchedule schedule, List<PostgresBackup> backups, Duration maxAge, Instant now, String verifying) {
        List<ScheduleMath.BackupInfo> infos = backups.stream().map(b -> new ScheduleMath.BackupInfo(b.getMetadata().getName(),
                Instant.parse(b.getMetadata().getCreationTimestamp()), finished(b), Conditions.isReady(b.getStatus()))).toList();
        Set<String> protect = verifying == null ? Set.of() : Set.of(verifying);
        for (String name : ScheduleMath.expired(infos, schedule.getSpec().getKeepLast(), maxAge, now, protect)) {
            PostgresBackup b = backups.stream().filter(x -> x.getMetadata().getName().equals(name)).findFirst().orElseThrow();
            if (b.getMetadata().getDeletionTimestamp() == null) {
                client.resource(b).delete();
                events.normal(schedule, "BackupExpired", "Deleted PostgresBackup " + name + " (retention; reclaimPolicy "
                        + b.getSpec().getReclaimPolicy() + " decides about its files)");
            }
        }
    }

    private String startRun(PostgresBackupSchedule schedule, Instant now) {
        String name = schedule.getMetadata().getName() + "-" + RUN_NAME.format(now);
        if (client.resources(PostgresBackup.class).inNamespace(ns(schedule)).withName(name).get() != null) {
            return name; // this second's run exists already
        }
        PostgresBackupSpec spec = MAPPER.convertValue(schedule.getSpec().getTemplate(), PostgresBackupSpec.class);
        spec.setClusterRef(schedule.getSpec().getClusterRef());
        PostgresBackup backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns(schedule))
                .withLabels(Map.of(SCHEDULE_LABEL, schedule.getMetadata().getName()))
                .withOwnerReferences(DesiredState.ownerReference(schedule)).build());
        backup.setSpec(spec);
        client.resource(backup).create();
        events.normal(schedule, "RunStarted", "Created PostgresBackup " + name);
        return name;
    }

    private List<PostgresBackup> ownedBackups(PostgresBackupSchedule schedule) {
        return client.resources(PostgresBackup.class).inNamespace(ns(schedule))
                .withLabel(SCHEDULE_LABEL, schedule.getMetadata().getName()).list().getItems().stream()
                .filter(b -> b.getMetadata().getOwnerReferences() != null && b.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Objects.equals(o.getUid(), schedule.getMetadata().getUid())))
                .filter(b -> b.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    private static boolean finished(PostgresBackup b) {
        return b.getStatus() != null && b.getStatus().getCompletionTime() != null;
    }

    private static String ns(PostgresBackupSchedule s) {
        return s.getMetadata().getNamespace();
    }
}
