package io.shopdb.operator.backup;

import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.status.SpecValidator.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restore never targets the server's own databases, with or without overwrite. */
class RestoreTargetValidationTest {

    @Test
    void postgresAndTheTemplatesAreRefusedAsTargets() {
        for (String system : List.of("postgres", "template0", "template1")) {
            var spec = spec(system);
            spec.setOverwrite(true);
            List<Violation> v = BackupValidators.restore().validate(spec);
            assertEquals(List.of("spec.targetDatabase"), v.stream().map(Violation::field).toList(), system);
            assertTrue(v.get(0).message().contains("one of the server's own databases"), v.get(0).message());
        }
        assertEquals(List.of(), BackupValidators.restore().validate(spec("postgres_restored")));
    }

    private static PostgresRestoreSpec spec(String target) {
        var spec = new PostgresRestoreSpec();
        spec.setBackupRef(new LocalReference("nightly"));
        spec.setClusterRef(new LocalReference("shop-db"));
        spec.setTargetDatabase(target);
        return spec;
    }
}
