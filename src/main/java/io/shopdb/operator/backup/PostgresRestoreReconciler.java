package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.shopdb.operator.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;
import io.shopdb.operator.cluster.ClusterAccess;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgresRestore: find the backup (a Ready PostgresBackup, or storage + id) → wait for a Ready target
 * cluster → run {@code agent restore} in a Job → report duration and row counts. The agent refuses a
 * non-empty target unless overwrite is set (TargetNotEmpty), a corrupted backup (ChecksumMismatch) and a dump
 * from a newer major (VersionTooNew): all Stalled, since repeating cannot help. A restore runs once; its
 * result is history. Physical backups restore into a new cluster's data directory, which this version does
 * not do (Stalled/NotSupported): a new PostgresCluster with spec.bootstrap.fromBackup does.
 */
@ControllerConfiguration(name = "postgresrestore")
public class PostgresRestoreReconciler implements Reconciler<PostgresRestore> {
    static final String RUNNING = "RestoreRunning";

    @Inject KubernetesClient client;
    @Inject StatusWriter statusWriter;
    @Inject ClusterAccess clusters;
    @Inject AgentJobRunner jobs;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;

    /** Where to restore from. */
    record Source(BackupTarget target, String backupId) {}

    @Override
    public List<EventSource<?, PostgresRestore>> prepareEventSources(EventSourceContext<PostgresRestore> context) {
        // a restore waiting for its backup wakes when that backup changes (restores name it in spec.backupRef)
        var backups = new io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<>(
                io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration.from(PostgresBackup.class, PostgresRestore.class)
                        .withSecondaryToPrimaryMapper(b -> context.getPrimaryCache().list(b.getMetadata().getNamespace())
                                .filter(r -> r.getSpec().getBackupRef() != null && b.getMetadata().getName().equals(r.getSpec().getBackupRef().getName()))
                                .map(io.javaoperatorsdk.operator.processing.event.ResourceID::fromResource)
                                .collect(java.util.stream.Collectors.toSet()))
                        .build(), context);
        return List.of(AgentJobRunner.jobEvents(PostgresRestore.class, context), backups);
    }

    @Override
    public UpdateControl<PostgresRestore> reconcile(PostgresRestore restore, Context<PostgresRestore> context) {
        return statusWriter.run(restore, PostgresRestoreStatus::new, status -> {
            if (status.getCompletionTime() != null) {
                var stalled = Conditions.find(status, Conditions.STALLED);
                return stalled != null && "True".equals(stalled.getStatus())
                        ? Outcome.stalled(stalled.getReason(), stalled.getMessage()) : done(restore, status);
            }
            PostgresRestoreSpec spec = restore.getSpec();
            String problem = Identifiers.problem(spec.getTargetDatabase());
            if (problem != null) {
                return Outcome.stalled(Reasons.INVALID_SPEC, "spec.targetDatabase: " + problem);
            }
            if ((spec.getBackupRef() == null) == (spec.getSource() == null)) {
                return Outcome.stalled(Reasons.INVALID_SPEC, "give exactly one of spec.backupRef or spec.source");
            }
            Source source;
            if (spec.getSource() != null) {
                source = new Source(spec.getSource().getTarget(), spec.getSource().getBackupId());
            } else {
                String name = spec.getBackupRef().getName();
                PostgresBackup backup = client.resources(PostgresBackup.class).inNamespace(ns(restore)).withName(name).get();
                if (backup == null) {
                    return Outcome.stalled("BackupNotFound", "PostgresBackup " + name + " (spec.backupRef) does not exist");
                }
                if (backup.getSpec().getMethod() == BackupTemplate.BackupMethod.physical) {
                    return Outcome.stalled("NotSupported", "PostgresBackup " + name + " is physical: it cannot be"
                            + " restored into an existing cluster; create a new PostgresCluster with spec.bootstrap.fromBackup.backupRef.name: " + name);
                }
                if (backup.getStatus() != null && Conditions.find(backup.getStatus(), Conditions.STALLED) != null
                        && "True".equals(Conditions.find(backup.getStatus(), Conditions.STALLED).getStatus())) {
                    return Outcome.stalled("BackupFailed", "PostgresBackup " + name + " failed; there is nothing to restore");
                }
                if (!Conditions.isReady(backup.getStatus())) {
                    return Outcome.reconciling("WaitingForBackup", "PostgresBackup " + name + " is not Ready yet");
                }
                source = new Source(backup.getSpec().getTarget(), backup.getStatus().getBackupId());
            }
            status.setBackupId(source.backupId());
            int attempt = status.getJobName() == null ? 0 : attemptOf(status.getJobName());
            Job job = attempt == 0 ? null : jobs.get(ns(restore), status.getJobName());
            if (job == null) {
                return start(restore, status, source, attempt + 1, null);
            }
            AgentJobRunner.Observed seen = jobs.observe(job);
            switch (seen.state()) {
                case RUNNING:
                    return Outcome.reconciling(RUNNING, "Job " + status.getJobName() + " is restoring " + source.backupId());
                case SUCCEEDED:
                    AgentResults.applyRestore(status, AgentResults.parse(seen.message()));
                    status.setCompletionTime(seen.completionTime() != null ? seen.completionTime() : Instant.now().toString());
                    status.setLastFailure(null);
                    return done(restore, status);
                default:
                    AgentResults.Failure f = AgentResults.failure(seen.exitCode(), AgentResults.parse(seen.message()));
                    status.setLastFailure(f.reason() + ": " + f.message());
                    if (f.retryable() && attempt <= config.agent().retries()) {
                        return start(restore, status, source, attempt + 1, f.message());
                    }
                    status.setCompletionTime(Instant.now().toString());
                    return Outcome.stalled(f.reason(), "Restore failed: " + f.message());
            }
        });
    }

    private Outcome start(PostgresRestore restore, PostgresRestoreStatus status, Source source, int attempt, String afterFailure) {
        ClusterAccess.Target target;
        try {
            target = clusters.readyCluster(ns(restore), restore.getSpec().getClusterRef().getName());
        } catch (ClusterAccess.WaitingException e) {
            return Outcome.reconciling(e.reason(), e.getMessage());
        }
        String jobName = AgentJobs.jobName(restore.getMetadata().getName(), "restore-" + attempt);
        if (jobs.get(ns(restore), jobName) == null) {
            jobs.create(AgentJobs.build(restore, jobName, config.agent().image(), AgentJobs.server(target.cluster()),
                    source.target(), command(restore.getSpec(), source.backupId())));
            if (afterFailure == null) {
                events.normal(restore, "RestoreStarted", "Job " + jobName + " restores backup " + source.backupId()
                        + " into database " + restore.getSpec().getTargetDatabase() + " of cluster " + target.cluster().getMetadata().getName());
            } else {
                events.warning(restore, "RestoreRetrying", "Attempt " + (attempt - 1) + " failed (" + afterFailure + "); Job " + jobName + " is attempt " + attempt);
            }
        }
        status.setJobName(jobName);
        if (status.getStartTime() == null) {
            status.setStartTime(Instant.now().toString());
        }
        return Outcome.reconciling(RUNNING, "Job " + jobName + " is restoring " + source.backupId());
    }

    static List<String> command(PostgresRestoreSpec spec, String backupId) {
        List<String> cmd = new ArrayList<>(List.of("restore", "--backup-id", backupId, "--target-database", spec.getTargetDatabase()));
        if (spec.getDatabase() != null) {
            cmd.addAll(List.of("--database", spec.getDatabase()));
        }
        if (Boolean.TRUE.equals(spec.getOverwrite())) {
            cmd.add("--overwrite");
        }
        if (Boolean.TRUE.equals(spec.getNoOwner())) {
            cmd.add("--no-owner");
        }
        if (spec.getJobs() != null) {
            cmd.addAll(List.of("--jobs", String.valueOf(spec.getJobs())));
        }
        return cmd;
    }

    private static Outcome done(PostgresRestore restore, PostgresRestoreStatus status) {
        return Outcome.ready(Reasons.READY, "Restored backup " + status.getBackupId() + " into database "
                + restore.getSpec().getTargetDatabase() + ": " + (status.getTables() == null ? 0 : status.getTables())
                + " table(s) in " + status.getDuration());
    }

    private static int attemptOf(String jobName) {
        return Integer.parseInt(jobName.substring(jobName.lastIndexOf('-') + 1));
    }

    private static String ns(PostgresRestore r) {
        return r.getMetadata().getNamespace();
    }
}
