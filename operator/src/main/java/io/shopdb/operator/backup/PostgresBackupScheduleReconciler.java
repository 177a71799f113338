package io.shopdb.operator.backup;

import io.shopdb.operator.jobs.AgentResults;
import io.shopdb.operator.jobs.AgentJobAttempts;
import io.shopdb.operator.jobs.AgentJobs;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus.BackupRef;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus.VerifiedRestore;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus.VerifyRun;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
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
    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject KubernetesClient client;
    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobAttempts attempts;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;
    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, PostgresBackupSchedule>> prepareEventSources(EventSourceContext<PostgresBackupSchedule> context) {
        var backups = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresBackup.class, PostgresBackupSchedule.class)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PostgresBackupSchedule.class)).build(), context);
        List<EventSource<?, PostgresBackupSchedule>> sources = new ArrayList<>(AgentJobAttempts.eventSources(PostgresBackupSchedule.class, context));
        sources.add(backups);
        return sources;
    }

    @Override
    public UpdateControl<PostgresBackupSchedule> reconcile(PostgresBackupSchedule schedule, Context<PostgresBackupSchedule> context) {
        return statusWriter.run(schedule, context, PostgresBackupScheduleStatus::new, status -> {
            PostgresBackupScheduleSpec spec = schedule.getSpec();
            Outcome invalid = SpecValidator.outcome(BackupValidators.schedule().validate(spec));
            if (invalid != null) {
                return invalid;
            }
            Instant now = clock.instant();
            List<PostgresBackup> backups = ownedBackups(schedule, context);
            recordResults(status, backups);
            Outcome drillProblem = drill(schedule, context, status, backups);
            String verifying = status.getActiveVerify() == null ? null : status.getActiveVerify().getBackup();
            retention(schedule, backups, ScheduleMath.parseDuration(spec.getMaxAge()), now, verifying,
                    ScheduleMath.drillPassed(spec.getVerify(), status.getLastVerifiedRestore()));
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
                    String name = startRun(schedule, backups, now);
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
            return verdict(spec, status, suspended, drillProblem);
        });
    }

    /**
     * Suspended: Ready (Argo CD shows Suspended). Else a failed last backup or last restore drill makes the schedule
     * not Ready (Stalled, so Argo CD shows Degraded as for a failed CronJob) until a later backup or drill succeeds;
     * re-checked at the usual interval, since the schedule keeps running. A drill pod that cannot start is reported.
     */
    static Outcome verdict(PostgresBackupScheduleSpec spec, PostgresBackupScheduleStatus status, boolean suspended, Outcome drillProblem) {
        if (suspended) {
            return Outcome.ready(Reasons.READY, "Suspended: no new runs");
        }
        var failure = status.getLastFailure();
        var success = status.getLastSuccessfulBackup();
        if (failure != null && (success == null || Instant.parse(failure.getTime()).isAfter(Instant.parse(success.getTime())))) {
            return Outcome.stalledOnInputs(Reasons.BACKUP_FAILED, "The last backup, PostgresBackup " + failure.getName() + ", failed: "
                    + failure.getMessage() + "; the schedule keeps running and is Ready again after a successful backup");
        }
        var drill = status.getLastVerifiedRestore();
        if (drill != null && Boolean.FALSE.equals(drill.getOk())) {
            return Outcome.stalledOnInputs(Reasons.DRILL_FAILED, "The restore drill of PostgresBackup " + drill.getBackup() + " failed: "
                    + drill.getMessage() + "; the schedule is Ready again after a drill passes");
        }
        if (drillProblem != null) {
            return drillProblem;
        }
        return Outcome.ready(Reasons.READY, "Schedule \"" + spec.getSchedule() + "\" (" + ScheduleMath.zone(spec.getTimeZone())
                + "); next run at " + status.getNextScheduleTime());
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
     * The restore drill: once per successful logical backup, newest first, one at a time, through the one Job-attempt
     * lifecycle. Returns an outcome only when its pod cannot start (the schedule reports it), else null.
     */
    private Outcome drill(PostgresBackupSchedule schedule, Context<PostgresBackupSchedule> context, PostgresBackupScheduleStatus status,
                          List<PostgresBackup> backups) {
        VerifyRun run = status.getActiveVerify();
        if (run == null) {
            String next = nextToVerify(schedule.getSpec(), status, backups);
            if (next == null) {
                return null;
            }
            run = new VerifyRun();
            run.setBackup(next);
            status.setActiveVerify(run);
        }
        String name = run.getBackup();
        PostgresBackup backup = backups.stream().filter(b -> b.getMetadata().getName().equals(name)).findFirst().orElse(null);
        if (backup == null) {
            status.setActiveVerify(null);
            return null;
        }
        if (backup.getSpec().getMethod() == PostgresBackupSpec.BackupMethod.physical) {
            pointInTimeDrill(schedule, status, run, backup);
            return null;
        }
        AgentJobAttempts.Plan plan = drillPlan(schedule, backup);
        AgentJobAttempts.Step step = attempts.advance(schedule, context, run, plan);
        if (step.running()) {
            boolean routine = run.getAttempts() == null || step.inProgress().reason().equals(plan.action() + "Running");
            return routine ? null : step.inProgress();
        }
        VerifiedRestore v = new VerifiedRestore();
        v.setBackup(name);
        v.setTime(step.finishedAt());
        v.setOk(!step.failed());
        var mismatches = step.summary().mismatches();
        v.setMessage(!step.failed() ? "row counts and checks match (" + AgentResults.duration(step.summary().durationMillis()) + ")"
                : mismatches != null && !mismatches.isEmpty() ? "mismatches: " + String.join("; ", mismatches) : step.failure().message());
        status.setLastVerifiedRestore(v);
        status.setActiveVerify(null);
        if (v.getOk()) {
            events.normal(schedule, "RestoreDrillPassed", "Backup " + name + " restored and verified");
        } else {
            events.warning(schedule, "RestoreDrillFailed", "Backup " + name + ": " + v.getMessage());
        }
        for (int i = 1; i <= run.getAttempts(); i++) {
            attempts.delete(context, ns(schedule), plan.jobName(i));
        }
        return null;
    }

    /** spec.verify.pointInTime: the drill of a physical backup as a point-in-time recovery into a scratch cluster. */
    private void pointInTimeDrill(PostgresBackupSchedule schedule, PostgresBackupScheduleStatus status, VerifyRun run, PostgresBackup backup) {
        PointInTimeDrill drills = new PointInTimeDrill(client, clusters);
        if (run.getStartTime() == null) {
            run.setStartTime(Instant.now().toString());
            events.normal(schedule, "RestoreDrillStarted", "Recovering " + backup.getMetadata().getName() + " and the WAL archive into the scratch cluster "
                    + PointInTimeDrill.clusterName(schedule));
        }
        Integer minutes = schedule.getSpec().getTemplate() == null ? null : schedule.getSpec().getTemplate().getTimeoutMinutes();
        var result = drills.step(schedule, backup, Instant.parse(run.getStartTime()), Duration.ofMinutes(minutes == null ? 360 : minutes));
        if (result == null) {
            return;
        }
        VerifiedRestore v = new VerifiedRestore();
        v.setBackup(backup.getMetadata().getName());
        v.setTime(Instant.now().toString());
        v.setOk(result.ok());
        v.setMessage(result.message());
        status.setLastVerifiedRestore(v);
        status.setActiveVerify(null);
        drills.cleanUp(schedule);
        if (result.ok()) {
            events.normal(schedule, "RestoreDrillPassed", "Backup " + backup.getMetadata().getName() + ": " + result.message());
        } else {
            events.warning(schedule, "RestoreDrillFailed", "Backup " + backup.getMetadata().getName() + ": " + result.message());
        }
    }

    /**
     * The newest successful backup not drilled yet: logical ones always, physical ones with spec.verify.pointInTime
     * (otherwise pg_verifybackup checks them at backup time).
     */
    private static String nextToVerify(PostgresBackupScheduleSpec spec, PostgresBackupScheduleStatus status, List<PostgresBackup> backups) {
        var verify = spec.getVerify();
        if (verify == null || !verify.isEnabled() || status.getLastSuccessfulBackup() == null) {
            return null;
        }
        String newest = status.getLastSuccessfulBackup().getName();
        if (status.getLastVerifiedRestore() != null && newest.equals(status.getLastVerifiedRestore().getBackup())) {
            return null;
        }
        boolean pointInTime = Boolean.TRUE.equals(verify.getPointInTime());
        return backups.stream().anyMatch(b -> b.getMetadata().getName().equals(newest)
                && (b.getSpec().getMethod() == PostgresBackupSpec.BackupMethod.logical || pointInTime)) ? newest : null;
    }

    private AgentJobAttempts.Plan drillPlan(PostgresBackupSchedule schedule, PostgresBackup backup) {
        String cluster = schedule.getSpec().getClusterRef().getName();
        return new AgentJobAttempts.Plan("RestoreDrill", backup.getMetadata().getName(), "verify", config.agent().retries(),
                "restores " + backup.getMetadata().getName() + " into a scratch database and verifies it", jobName -> {
                    var server = AgentJobs.server(clusters.readyCluster(ns(schedule), cluster).cluster());
                    return AgentJobs.build(schedule, jobName, config.agent().image(), server, backup.getSpec().getTarget(),
                            AgentRequests.verify(schedule.getSpec(), backup.getSpec().getTarget(), backup.getStatus().getBackupId(), server));
                });
    }

    private void retention(PostgresBackupSchedule schedule, List<PostgresBackup> backups, Duration maxAge, Instant now, String verifying,
                           String drillPassed) {
        List<ScheduleMath.BackupInfo> infos = backups.stream().map(b -> new ScheduleMath.BackupInfo(b.getMetadata().getName(),
                Instant.parse(b.getMetadata().getCreationTimestamp()), finished(b), Conditions.isReady(b.getStatus()))).toList();
        Set<String> protect = verifying == null ? Set.of() : Set.of(verifying);
        for (String name : ScheduleMath.expired(infos, schedule.getSpec().getKeepLast(), maxAge, now, protect, drillPassed)) {
            PostgresBackup b = backups.stream().filter(x -> x.getMetadata().getName().equals(name)).findFirst().orElseThrow();
            client.resource(b).delete();
            events.normal(schedule, "BackupExpired", "Deleted PostgresBackup " + name + " (retention; reclaimPolicy "
                    + b.getSpec().getReclaimPolicy() + " decides about its files)");
        }
    }

    private String startRun(PostgresBackupSchedule schedule, List<PostgresBackup> backups, Instant now) {
        String name = schedule.getMetadata().getName() + "-" + RUN_NAME.format(now);
        if (backups.stream().anyMatch(b -> b.getMetadata().getName().equals(name))) {
            return name; // this second's run exists already
        }
        PostgresBackupSpec spec = MAPPER.convertValue(schedule.getSpec().getTemplate(), PostgresBackupSpec.class);
        spec.setClusterRef(schedule.getSpec().getClusterRef());
        PostgresBackup backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns(schedule))
                .withLabels(Map.of(SCHEDULE_LABEL, schedule.getMetadata().getName()))
                .withOwnerReferences(DesiredState.ownerReference(schedule)).build());
        backup.setSpec(spec);
        try {
            client.resource(backup).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return name; // created by an earlier reconcile the cache has not shown yet
            }
            throw e;
        }
        events.normal(schedule, "RunStarted", "Created PostgresBackup " + name);
        return name;
    }

    /** The schedule's runs, from the informer cache (owner references); those being deleted are gone already. */
    private static List<PostgresBackup> ownedBackups(PostgresBackupSchedule schedule, Context<PostgresBackupSchedule> context) {
        return context.getSecondaryResourcesAsStream(PostgresBackup.class)
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
