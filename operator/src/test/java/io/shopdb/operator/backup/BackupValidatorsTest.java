package io.shopdb.operator.backup;

import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.status.SpecValidator.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The backup kinds' validators: every violation, each naming its field. */
class BackupValidatorsTest {

    @Test
    void aBackupSpecListsEveryViolation() {
        var spec = new BackupTemplate();
        spec.setDatabases(List.of("shop", "x".repeat(64)));
        spec.setJobs(4);
        assertEquals(List.of("spec.target", "spec.databases[1]", "spec.jobs"),
                BackupValidators.backup("spec").validate(spec).stream().map(Violation::field).toList());
        assertEquals(List.of(), BackupValidators.backup("spec").validate(valid()));
    }

    @Test
    void aScheduleNamesItsTemplateFieldsAndItsOwn() {
        var spec = new PostgresBackupScheduleSpec();
        spec.setTemplate(new BackupTemplate());
        spec.setSchedule("61 3 * * *");
        spec.setTimeZone("Mars/Olympus");
        spec.setMaxAge("a week");
        assertEquals(List.of("spec.template.target", "spec.template.databases", "spec.schedule", "spec.timeZone", "spec.maxAge"),
                BackupValidators.schedule().validate(spec).stream().map(Violation::field).toList());
        spec.setTemplate(valid());
        spec.setSchedule("0 3 * * *");
        spec.setTimeZone("Europe/Berlin");
        spec.setMaxAge("30d");
        assertEquals(List.of(), BackupValidators.schedule().validate(spec));
    }

    @Test
    void aRestoreNeedsAValidTargetAndExactlyOneSource() {
        var spec = new PostgresRestoreSpec();
        spec.setTargetDatabase("bad\u0000name");
        assertEquals(List.of("spec.targetDatabase", "spec"), BackupValidators.restore().validate(spec).stream().map(Violation::field).toList());
        spec.setTargetDatabase("shop_copy");
        spec.setBackupRef(new LocalReference("nightly"));
        assertEquals(List.of(), BackupValidators.restore().validate(spec));
    }

    static BackupTemplate valid() {
        var spec = new BackupTemplate();
        spec.setDatabases(List.of("shop"));
        spec.setTarget(AgentJobsTest.pvc());
        return spec;
    }
}
