package io.shopdb.operator.backup;

import io.shopdb.operator.jobs.AgentResults;
import io.shopdb.operator.jobs.AgentJobAttempts;
import io.shopdb.operator.jobs.AgentJobs;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.ClusterEvents;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PostgresRestore: find the backup (a Ready PostgresBackup, or storage + id) → wait for a Ready target
 * cluster → run {@code agent restore} in a Job → report duration and row counts. The agent refuses a
 * non-empty target unless overwrite is set (TargetNotEmpty), a corrupted backup (ChecksumMismatch) and a dump
 * from a newer major (VersionTooNew): all Stalled, since repeating cannot help. An overwrite restores into a scratch
 * database and swaps it in only when complete, so a failed one leaves the target as it was (the agent's message,
 * quoted in the condition, says so; agent/DatabaseSwap). A restore runs once; its
 * result is history. Physical backups restore into a new cluster's data directory, which this version does
 * not do (Stalled/NotSupported): a new PostgresCluster with spec.bootstrap.fromBackup does.
 */
@ControllerConfiguration(name = "postgresrestore")
public class PostgresRestoreReconciler implements Reconciler<PostgresRestore> {
    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobAttempts attempts;
    @Inject ShopdbConfig config;

    /** Where to restore from. */
    record Source(BackupTarget target, String backupId) {}

    @Override
    public List<EventSource<?, PostgresRestore>> prepareEventSources(EventSourceContext<PostgresRestore> context) {
        // a restore waiting for its backup wakes when that backup appears or its Ready turns (spec.backupRef, through
        // an index: no scan), and one waiting for its cluster when the cluster's Ready turns
        var backups = References.source(context, PostgresBackup.class, "backups",
                r -> r.getSpec().getBackupRef() == null ? Set.of() : Set.of(r.getSpec().getBackupRef().getName()),
                (now, before) -> Conditions.isReady(now.getStatus()) != Conditions.isReady(before.getStatus())
                        || Conditions.find(now.getStatus(), Conditions.STALLED) != null && Conditions.find(before.getStatus(), Conditions.STALLED) == null);
        List<EventSource<?, PostgresRestore>> sources = new ArrayList<>(AgentJobAttempts.eventSources(PostgresRestore.class, context));
        sources.add(backups);
        sources.add(ClusterEvents.source(context, r -> r.getSpec().getClusterRef().getName()));
        return sources;
    }

    @Override
    public UpdateControl<PostgresRestore> reconcile(PostgresRestore restore, Context<PostgresRestore> context) {
        return statusWriter.run(restore, context, PostgresRestoreStatus::new, status -> {
            if (status.getCompletionTime() != null) {
                var stalled = Conditions.stalled(status);
                return stalled != null
                        ? Outcome.stalled(stalled.getReason(), stalled.getMessage()) : done(restore, status);
            }
            Outcome invalid = SpecValidator.outcome(BackupValidators.restore().validate(restore.getSpec()));
            if (invalid != null) {
                return invalid;
            }
            Source source;
            PostgresRestoreSpec spec = restore.getSpec();
            if (spec.getSource() != null) {
                source = new Source(spec.getSource().getTarget(), spec.getSource().getBackupId());
            } else {
                String name = spec.getBackupRef().getName();
                PostgresBackup backup = context.getSecondaryResourcesAsStream(PostgresBackup.class)
                        .filter(b -> name.equals(b.getMetadata().getName())).findFirst().orElse(null);
                Outcome notUsable = unusable(name, backup);
                if (notUsable != null) {
                    return notUsable;
                }
                source = new Source(backup.getSpec().getTarget(), backup.getStatus().getBackupId());
            }
            status.setBackupId(source.backupId());
            AgentJobAttempts.Step step = attempts.advance(restore, context, status, plan(restore, context, source));
            if (step.running()) {
                return step.inProgress();
            }
            status.setCompletionTime(step.finishedAt());
            if (step.failed()) {
                return Outcome.stalled(step.failure().reason(), "Restore failed: " + step.failure().message());
            }
            AgentResults.applyRestore(status, step.summary());
            return done(restore, status);
        });
    }

    /** Why a referenced backup cannot be restored (yet), or null when it can. */
    private static Outcome unusable(String name, PostgresBackup backup) {
        if (backup == null) {
            return Outcome.stalled(Reasons.BACKUP_NOT_FOUND, "PostgresBackup " + name + " (spec.backupRef) does not exist");
        }
        if (backup.getSpec().getMethod() == BackupTemplate.BackupMethod.physical) {
            return Outcome.stalled(Reasons.NOT_SUPPORTED, "PostgresBackup " + name + " is physical: it cannot be"
                    + " restored into an existing cluster; create a new PostgresCluster with spec.bootstrap.fromBackup.backupRef.name: " + name);
        }
        if (Conditions.stalled(backup.getStatus()) != null) {
            return Outcome.stalled(Reasons.BACKUP_FAILED, "PostgresBackup " + name + " failed; there is nothing to restore");
        }
        if (!Conditions.isReady(backup.getStatus())) {
            return Outcome.waitingForEvent(Reasons.WAITING_FOR_BACKUP, "PostgresBackup " + name + " is not Ready yet");
        }
        return null;
    }

    private AgentJobAttempts.Plan plan(PostgresRestore restore, Context<PostgresRestore> context, Source source) {
        String cluster = restore.getSpec().getClusterRef().getName();
        return new AgentJobAttempts.Plan("Restore", restore.getMetadata().getName(), "restore", config.agent().retries(),
                "restores backup " + source.backupId() + " into database " + restore.getSpec().getTargetDatabase() + " of cluster " + cluster,
                jobName -> {
                    var server = AgentJobs.server(clusters.ready(context.getSecondaryResource(PostgresCluster.class).orElse(null), cluster, null).cluster());
                    return AgentJobs.build(restore, jobName, config.agent().image(), server, source.target(),
                            AgentRequests.restore(restore.getSpec(), source.target(), source.backupId(), server));
                });
    }

    private static Outcome done(PostgresRestore restore, PostgresRestoreStatus status) {
        return Outcome.ready(Reasons.READY, "Restored backup " + status.getBackupId() + " into database "
                + restore.getSpec().getTargetDatabase() + ": " + (status.getTables() == null ? 0 : status.getTables())
                + " table(s) in " + status.getDuration());
    }
}
