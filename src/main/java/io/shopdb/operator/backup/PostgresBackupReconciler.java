package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.cluster.ClusterAccess;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * PostgresBackup: validate → wait for a Ready cluster → run the agent in a Job → read its result → report.
 * A finished backup (Ready or Stalled) is never run again: the spec is immutable and the result is history.
 * Retryable agent failures (server down, storage I/O) get a new Job, up to spec.retries (default
 * shopdb.agent.retries); others are Stalled with the agent's reason. With reclaimPolicy Delete, deleting the
 * resource first runs {@code agent delete} in a Job, so the operator needs no access to the storage itself.
 */
@ControllerConfiguration(name = "postgresbackup")
public class PostgresBackupReconciler implements Reconciler<PostgresBackup>, Cleaner<PostgresBackup> {
    public static final String RUNNING = "BackupRunning";

    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobRunner jobs;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;

    /** Job changes (the sandbox's or the real Job controller's) wake the backup that owns the Job. */
    @Override
    public List<EventSource<?, PostgresBackup>> prepareEventSources(EventSourceContext<PostgresBackup> context) {
        return List.of(AgentJobRunner.jobEvents(PostgresBackup.class, context));
    }

    @Override
    public UpdateControl<PostgresBackup> reconcile(PostgresBackup backup, Context<PostgresBackup> context) {
        return statusWriter.run(backup, PostgresBackupStatus::new, status -> {
            Outcome finished = finishedOutcome(status);
            if (finished != null) {
                return finished;
            }
            List<String> problems = BackupSpecs.problems(backup.getSpec());
            if (!problems.isEmpty()) {
                return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", problems));
            }
            String id = BackupSpecs.backupId(backup);
            status.setBackupId(id);
            status.setLocation(AgentJobs.location(backup.getSpec().getTarget(), id));
            int attempt = status.getAttempts() == null ? 0 : status.getAttempts();
            Job job = attempt == 0 ? null : jobs.get(ns(backup), status.getJobName());
            if (job == null) {
                return startAttempt(backup, status, attempt + 1, null);
            }
            AgentJobRunner.Observed seen = jobs.observe(job);
            return switch (seen.state()) {
                case RUNNING -> Outcome.reconciling(RUNNING, runningMessage(status));
                case SUCCEEDED -> {
                    AgentResults.applyBackup(status, AgentResults.parse(seen.message()));
                    status.setCompletionTime(seen.completionTime() != null ? seen.completionTime() : Instant.now().toString());
                    status.setLastFailure(null);
                    yield doneOutcome(status);
                }
                case FAILED -> failed(backup, status, attempt, seen);
            };
        });
    }

    /** Starts attempt {@code attempt}; {@code afterFailure} is why the previous one failed (null for the first). */
    private Outcome startAttempt(PostgresBackup backup, PostgresBackupStatus status, int attempt, String afterFailure) {
        ClusterAccess.Target target;
        try {
            target = clusters.readyCluster(ns(backup), backup.getSpec().getClusterRef().getName());
        } catch (ClusterAccess.WaitingException e) {
            return Outcome.reconciling(e.reason(), e.getMessage());
        }
        String jobName = AgentJobs.jobName(backup.getMetadata().getName(), "backup-" + attempt);
        if (jobs.get(ns(backup), jobName) == null) {
            jobs.create(AgentJobs.build(backup, jobName, config.agent().image(), AgentJobs.server(target.cluster()),
                    backup.getSpec().getTarget(), BackupSpecs.backupCommand(backup.getSpec(), status.getBackupId())));
            // one Event per Job actually created: while the cluster is not Ready, reconciles repeat without Events
            if (afterFailure == null) {
                events.normal(backup, "BackupStarted", "Job " + jobName + " backs up cluster "
                        + target.cluster().getMetadata().getName() + " to " + status.getLocation());
            } else {
                events.warning(backup, "BackupRetrying", "Attempt " + (attempt - 1) + " failed (" + afterFailure
                        + "); Job " + jobName + " is attempt " + attempt);
            }
        }
        status.setAttempts(attempt);
        status.setJobName(jobName);
        if (status.getStartTime() == null) {
            status.setStartTime(Instant.now().toString());
        }
        return Outcome.reconciling(RUNNING, runningMessage(status));
    }

    private Outcome failed(PostgresBackup backup, PostgresBackupStatus status, int attempt, AgentJobRunner.Observed seen) {
        AgentResults.Failure f = AgentResults.failure(seen.exitCode(), AgentResults.parse(seen.message()));
        status.setLastFailure(f.reason() + ": " + f.message());
        int retries = backup.getSpec().getRetries() != null ? backup.getSpec().getRetries() : config.agent().retries();
        if (f.retryable() && attempt <= retries) {
            return startAttempt(backup, status, attempt + 1, f.message());
        }
        status.setCompletionTime(seen.completionTime() != null ? seen.completionTime() : Instant.now().toString());
        return Outcome.stalled(f.reason(), "Backup failed after " + attempt + " attempt(s): " + f.message());
    }

    /** A backup that ended stays as it ended; the same outcome again means no write and no Event. */
    private static Outcome finishedOutcome(PostgresBackupStatus status) {
        if (status.getCompletionTime() == null) {
            return null;
        }
        var stalled = Conditions.find(status, Conditions.STALLED);
        if (stalled != null && "True".equals(stalled.getStatus())) {
            return Outcome.stalled(stalled.getReason(), stalled.getMessage());
        }
        return doneOutcome(status);
    }

    private static Outcome doneOutcome(PostgresBackupStatus status) {
        return Outcome.ready(Reasons.READY, "Backup " + status.getBackupId() + " stored at " + status.getLocation() + ": "
                + status.getFileCount() + " file(s), " + status.getSizeBytes() + " bytes in " + status.getDuration());
    }

    private static String runningMessage(PostgresBackupStatus status) {
        return "Job " + status.getJobName() + " (attempt " + status.getAttempts() + ") is running";
    }

    @Override
    public DeleteControl cleanup(PostgresBackup backup, Context<PostgresBackup> context) {
        PostgresBackupStatus status = backup.getStatus();
        if (backup.getSpec().getReclaimPolicy() != ReclaimPolicy.Delete || status == null || status.getBackupId() == null
                || status.getAttempts() == null) {
            return DeleteControl.defaultDelete(); // Retain, or nothing was ever written
        }
        String jobName = AgentJobs.jobName(backup.getMetadata().getName(), "delete");
        Job job = jobs.get(ns(backup), jobName);
        if (job == null) {
            jobs.create(AgentJobs.build(backup, jobName, config.agent().image(), null, backup.getSpec().getTarget(),
                    List.of("delete", "--backup-id", status.getBackupId())));
            events.normal(backup, "DeletingFiles", "Job " + jobName + " deletes " + status.getLocation() + " (reclaimPolicy: Delete)");
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
        }
        AgentJobRunner.Observed seen = jobs.observe(job);
        if (seen.state() == AgentJobRunner.State.RUNNING) {
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
        }
        if (seen.state() == AgentJobRunner.State.FAILED) {
            // keep the resource (and its finalizer) so the files are not forgotten; a new Job tries again
            AgentResults.Failure f = AgentResults.failure(seen.exitCode(), AgentResults.parse(seen.message()));
            events.warning(backup, "DeleteFailed", "Deleting " + status.getLocation() + " failed: " + f.message());
            jobs.delete(ns(backup), jobName);
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
        }
        return DeleteControl.defaultDelete();
    }

    private static String ns(PostgresBackup b) {
        return b.getMetadata().getNamespace();
    }

}
