package io.shopdb.operator.backup;

import io.shopdb.operator.jobs.JobView;
import io.shopdb.operator.jobs.AgentResults;
import io.shopdb.operator.jobs.AgentJobAttempts;
import io.shopdb.operator.jobs.AgentJobs;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.access.ClusterEvents;
import io.shopdb.operator.access.WalArchiveFolders;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;

import java.time.Duration;
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
    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobAttempts attempts;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;

    /** Job and pod changes (the sandbox's or the real Job controller's and kubelet's) wake the backup that owns them. */
    @Override
    public List<EventSource<?, PostgresBackup>> prepareEventSources(EventSourceContext<PostgresBackup> context) {
        // the cluster's Ready change wakes a backup waiting for it
        List<EventSource<?, PostgresBackup>> sources = new java.util.ArrayList<>(AgentJobAttempts.eventSources(PostgresBackup.class, context));
        sources.add(ClusterEvents.source(context, b -> b.getSpec().getClusterRef().getName()));
        return sources;
    }

    @Override
    public UpdateControl<PostgresBackup> reconcile(PostgresBackup backup, Context<PostgresBackup> context) {
        return statusWriter.run(backup, context, PostgresBackupStatus::new, status -> {
            Outcome finished = finishedOutcome(status);
            if (finished != null) {
                return finished;
            }
            Outcome invalid = SpecValidator.outcome(BackupValidators.backup("spec").validate(backup.getSpec()));
            if (invalid != null) {
                return invalid;
            }
            String id = AgentRequests.backupId(backup);
            status.setBackupId(id);
            status.setLocation(AgentJobs.location(backup.getSpec().getTarget(), id));
            AgentJobAttempts.Step step = attempts.advance(backup, context, status, plan(backup, context, id, status.getLocation()));
            if (step.running()) {
                return step.inProgress();
            }
            status.setCompletionTime(step.finishedAt());
            if (step.failed()) {
                return Outcome.stalled(step.failure().reason(), "Backup failed after " + status.getAttempts() + " attempt(s): "
                        + step.failure().message());
            }
            AgentResults.applyBackup(status, step.summary());
            status.setWalArchivePrefix(walArchivePrefix(backup, context));
            return doneOutcome(status);
        });
    }

    private AgentJobAttempts.Plan plan(PostgresBackup backup, Context<PostgresBackup> context, String id, String location) {
        String cluster = backup.getSpec().getClusterRef().getName();
        int retries = backup.getSpec().getRetries() != null ? backup.getSpec().getRetries() : config.agent().retries();
        return new AgentJobAttempts.Plan("Backup", backup.getMetadata().getName(), "backup", retries,
                "backs up cluster " + cluster + " to " + location, jobName -> {
                    var server = AgentJobs.server(clusters.ready(context.getSecondaryResource(PostgresCluster.class).orElse(null), cluster, null).cluster());
                    return AgentJobs.build(backup, jobName, config.agent().image(), server, backup.getSpec().getTarget(),
                            AgentRequests.backup(backup.getSpec(), id, server));
                });
    }

    /**
     * Where the WAL a physical backup needs for a point-in-time recovery is archived: the source cluster's folder, read
     * when the backup completes (the cluster may be gone when someone recovers from it). Null for logical backups and
     * clusters that do not archive.
     */
    private static String walArchivePrefix(PostgresBackup backup, Context<PostgresBackup> context) {
        if (backup.getSpec().getMethod() != BackupTemplate.BackupMethod.physical) {
            return null;
        }
        return context.getSecondaryResource(PostgresCluster.class)
                .filter(c -> c.getSpec().getWalArchive() != null)
                .map(WalArchiveFolders::of).orElse(null);
    }

    /** A backup that ended stays as it ended; the same outcome again means no write and no Event. */
    private static Outcome finishedOutcome(PostgresBackupStatus status) {
        if (status.getCompletionTime() == null) {
            return null;
        }
        var stalled = Conditions.stalled(status);
        if (stalled != null) {
            return Outcome.stalled(stalled.getReason(), stalled.getMessage());
        }
        return doneOutcome(status);
    }

    private static Outcome doneOutcome(PostgresBackupStatus status) {
        return Outcome.ready(Reasons.READY, "Backup " + status.getBackupId() + " stored at " + status.getLocation() + ": "
                + status.getFileCount() + " file(s), " + status.getSizeBytes() + " bytes in " + status.getDuration());
    }

    @Override
    public DeleteControl cleanup(PostgresBackup backup, Context<PostgresBackup> context) {
        PostgresBackupStatus status = backup.getStatus();
        if (backup.getSpec().getReclaimPolicy() != ReclaimPolicy.Delete || status == null || status.getBackupId() == null
                || status.getAttempts() == null) {
            return DeleteControl.defaultDelete(); // Retain, or nothing was ever written
        }
        String jobName = AgentJobs.jobName(backup.getMetadata().getName(), "delete");
        JobView seen = attempts.observe(context, jobName);
        if (seen == null) {
            if (attempts.create(context, AgentJobs.build(backup, jobName, config.agent().image(), null, backup.getSpec().getTarget(),
                    AgentRequests.delete(backup.getSpec().getTarget(), status.getBackupId())))) {
                events.normal(backup, "DeletingFiles", "Job " + jobName + " deletes " + status.getLocation() + " (reclaimPolicy: Delete)");
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
        }
        if (seen.state() == JobView.State.RUNNING) {
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
        }
        if (seen.state() == JobView.State.FAILED) {
            // keep the resource (and its finalizer) so the files are not forgotten; a new Job tries again
            events.warning(backup, "DeleteFailed", "Deleting " + status.getLocation() + " failed: " + seen.failure().message());
            attempts.delete(context, ns(backup), jobName);
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
        }
        return DeleteControl.defaultDelete();
    }

    private static String ns(PostgresBackup b) {
        return b.getMetadata().getNamespace();
    }

}
