package io.shopdb.operator.backup;

import io.shopdb.operator.jobs.AgentJobs;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;

/**
 * The agent requests of the three controllers, from their specs (pure). Each request carries a timeout (the spec's,
 * else the default of its kind), from which the Job's activeDeadlineSeconds follows (AgentJobs).
 */
public final class AgentRequests {
    /** A backup or restore of a few hundred GB finishes well within this; larger ones set spec timeoutMinutes. */
    static final int DEFAULT_BACKUP_MINUTES = 360;
    static final int DEFAULT_RESTORE_MINUTES = 360;
    /** A drill restores the newest backup into a scratch database: as long as a restore, at most. */
    static final int DEFAULT_VERIFY_MINUTES = 360;

    private AgentRequests() {}

    /**
     * The backup's id in storage: its name plus the start of its uid, so a backup deleted and created again
     * under the same name never mixes its files with the old one's.
     */
    public static String backupId(PostgresBackup backup) {
        String uid = backup.getMetadata().getUid() == null ? "" : backup.getMetadata().getUid().replace("-", "");
        return backup.getMetadata().getName() + (uid.isEmpty() ? "" : "-" + uid.substring(0, Math.min(8, uid.length())));
    }

    public static AgentRequest.Backup backup(BackupTemplate spec, String backupId, AgentJobs.Server server) {
        boolean logical = spec.getMethod() == BackupTemplate.BackupMethod.logical;
        return new AgentRequest.Backup(AgentJobs.storage(spec.getTarget()), server.request(),
                logical ? AgentRequest.Method.logical : AgentRequest.Method.physical,
                logical ? spec.getDatabases() : null,
                logical ? AgentRequest.Format.valueOf(spec.getFormat().name()) : null,
                spec.getCompression(), null, backupId, logical ? spec.getJobs() : null,
                orDefault(spec.getTimeoutMinutes(), DEFAULT_BACKUP_MINUTES));
    }

    public static AgentRequest.Restore restore(PostgresRestoreSpec spec, BackupTarget target, String backupId, AgentJobs.Server server) {
        return new AgentRequest.Restore(AgentJobs.storage(target), server.request(), backupId, spec.getDatabase(), spec.getTargetDatabase(),
                Boolean.TRUE.equals(spec.getOverwrite()), Boolean.TRUE.equals(spec.getNoOwner()), spec.getJobs(),
                orDefault(spec.getTimeoutMinutes(), DEFAULT_RESTORE_MINUTES));
    }

    public static AgentRequest.Verify verify(PostgresBackupScheduleSpec spec, BackupTarget target, String backupId, AgentJobs.Server server) {
        var verify = spec.getVerify();
        Integer timeout = spec.getTemplate() == null ? null : spec.getTemplate().getTimeoutMinutes();
        return new AgentRequest.Verify(AgentJobs.storage(target), server.request(), backupId, verify.getDatabase(), verify.getChecks(),
                null, orDefault(timeout, DEFAULT_VERIFY_MINUTES));
    }

    public static AgentRequest.Delete delete(BackupTarget target, String backupId) {
        return new AgentRequest.Delete(AgentJobs.storage(target), backupId);
    }

    private static int orDefault(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
