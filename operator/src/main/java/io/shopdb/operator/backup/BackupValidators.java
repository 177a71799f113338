package io.shopdb.operator.backup;

import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.SystemDatabases;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.SpecValidator.Violation;

import java.util.ArrayList;
import java.util.List;

/** The spec validators of the backup package's three kinds (pure), in the one style of {@link SpecValidator}. */
public final class BackupValidators {
    private BackupValidators() {}

    /** A backup's spec, or a schedule's template ({@code path} "spec" or "spec.template"). */
    public static SpecValidator<BackupTemplate> backup(String path) {
        return spec -> {
            List<Violation> out = new ArrayList<>();
            if (spec.getTarget() == null || (spec.getTarget().getPvc() == null) == (spec.getTarget().getS3() == null)) {
                out.add(new Violation(path + ".target", "needs exactly one of pvc or s3"));
            }
            List<String> dbs = spec.getDatabases() == null ? List.of() : spec.getDatabases();
            if (spec.getMethod() == BackupTemplate.BackupMethod.logical && dbs.isEmpty()) {
                out.add(new Violation(path + ".databases", "is required for a logical backup"));
            }
            if (spec.getMethod() == BackupTemplate.BackupMethod.physical && !dbs.isEmpty()) {
                out.add(new Violation(path + ".databases", "is for logical backups; a physical backup copies the whole cluster"));
            }
            for (int i = 0; i < dbs.size(); i++) {
                String problem = Identifiers.problem(dbs.get(i));
                if (problem != null) {
                    out.add(new Violation(path + ".databases[" + i + "]", problem));
                }
            }
            if (spec.getJobs() != null && spec.getJobs() > 1 && spec.getFormat() != BackupTemplate.DumpFormat.directory) {
                out.add(new Violation(path + ".jobs", "> 1 needs format: directory"));
            }
            return out;
        };
    }

    public static SpecValidator<PostgresBackupScheduleSpec> schedule() {
        return spec -> {
            List<Violation> out = new ArrayList<>(backup("spec.template").validate(spec.getTemplate()));
            String cron = ScheduleMath.cronProblem(spec.getSchedule());
            if (cron != null) {
                out.add(new Violation("spec.schedule", cron));
            }
            if (ScheduleMath.zoneProblem(spec.getTimeZone()) != null) {
                out.add(new Violation("spec.timeZone", ScheduleMath.zoneProblem(spec.getTimeZone())));
            }
            try {
                ScheduleMath.parseDuration(spec.getMaxAge());
            } catch (IllegalArgumentException e) {
                out.add(new Violation("spec.maxAge", e.getMessage()));
            }
            return out;
        };
    }

    public static SpecValidator<PostgresRestoreSpec> restore() {
        return spec -> {
            List<Violation> out = new ArrayList<>();
            String problem = Identifiers.problem(spec.getTargetDatabase());
            if (problem == null) {
                problem = SystemDatabases.problem(spec.getTargetDatabase());
            }
            if (problem != null) {
                out.add(new Violation("spec.targetDatabase", problem));
            }
            if ((spec.getBackupRef() == null) == (spec.getSource() == null)) {
                out.add(new Violation("spec", "give exactly one of backupRef or source"));
            }
            return out;
        };
    }
}
