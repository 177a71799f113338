package io.shopdb.operator.status;

import io.shopdb.operator.status.SpecValidator.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SpecValidatorTest {

    @Test
    void violationsBecomeOneStalledInvalidSpecNamingEachField() {
        assertNull(SpecValidator.outcome(List.of()));
        Outcome o = SpecValidator.outcome(List.of(new Violation("spec.databases[0]", "is 64 bytes long; the limit is 63"),
                new Violation("spec.jobs", "> 1 needs format: directory")));
        assertEquals(Outcome.stalled(Reasons.INVALID_SPEC,
                "spec.databases[0]: is 64 bytes long; the limit is 63; spec.jobs: > 1 needs format: directory"), o);
    }

    @Test
    void aThrowingBuilderReadsAsAValidatorOfTheSameStyle() {
        SpecValidator<String> v = SpecValidator.fromBuilder(s -> {
            if (!s.isEmpty()) {
                throw new IllegalArgumentException(s);
            }
        });
        assertEquals(List.of(), v.validate(""));
        assertEquals(List.of(new Violation("spec.name", "is 64 bytes long")), v.validate("spec.name: is 64 bytes long"));
        assertEquals(List.of(new Violation("spec", "give a name")), v.validate("give a name"), "no field path: the spec as a whole");
    }
}
