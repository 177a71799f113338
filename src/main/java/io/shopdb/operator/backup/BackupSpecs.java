package io.shopdb.operator.backup;

import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.sql.Identifiers;

import java.util.ArrayList;
import java.util.List;

/** Pure checks of backup specs (the CRD's CEL rules again, for API servers that skip them) and the agent command. */
public final class BackupSpecs {
    private BackupSpecs() {}

    public static List<String> problems(BackupTemplate spec) {
        List<String> out = new ArrayList<>();
        if (spec.getTarget() == null || (spec.getTarget().getPvc() == null) == (spec.getTarget().getS3() == null)) {
            out.add("spec.target needs exactly one of pvc or s3");
        }
        List<String> dbs = spec.getDatabases() == null ? List.of() : spec.getDatabases();
        if (spec.getMethod() == BackupTemplate.BackupMethod.logical && dbs.isEmpty()) {
            out.add("spec.databases is required for a logical backup");
        }
        if (spec.getMethod() == BackupTemplate.BackupMethod.physical && !dbs.isEmpty()) {
            out.add("spec.databases is for logical backups; a physical backup copies the whole cluster");
        }
        for (String db : dbs) {
            String problem = Identifiers.problem(db);
            if (problem != null) {
                out.add("spec.databases: " + problem);
            }
        }
        if (spec.getJobs() != null && spec.getJobs() > 1 && spec.getFormat() != BackupTemplate.DumpFormat.directory) {
            out.add("spec.jobs > 1 needs format: directory");
        }
        return out;
    }

    /**
     * The backup's id in storage: its name plus the start of its uid, so a backup deleted and created again
     * under the same name never mixes its files with the old one's.
     */
    public static String backupId(PostgresBackup backup) {
        String uid = backup.getMetadata().getUid() == null ? "" : backup.getMetadata().getUid().replace("-", "");
        return backup.getMetadata().getName() + (uid.isEmpty() ? "" : "-" + uid.substring(0, Math.min(8, uid.length())));
    }

    /** {@code backup ...} options of the agent for a spec. */
    public static List<String> backupCommand(BackupTemplate spec, String backupId) {
        List<String> cmd = new ArrayList<>(List.of("backup", "--backup-id", backupId, "--method", spec.getMethod().name()));
        if (spec.getMethod() == BackupTemplate.BackupMethod.logical) {
            for (String db : spec.getDatabases()) {
                cmd.addAll(List.of("--database", db));
            }
            cmd.addAll(List.of("--format", spec.getFormat().name()));
            if (spec.getJobs() != null) {
                cmd.addAll(List.of("--jobs", String.valueOf(spec.getJobs())));
            }
        }
        if (spec.getCompression() != null) {
            cmd.addAll(List.of("--compression", spec.getCompression()));
        }
        if (spec.getTimeoutMinutes() != null) {
            cmd.addAll(List.of("--timeout-minutes", String.valueOf(spec.getTimeoutMinutes())));
        }
        return cmd;
    }
}
