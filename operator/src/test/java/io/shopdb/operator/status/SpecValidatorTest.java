package io.shopdb.operator.status;

import io.shopdb.operator.sql.InvalidFieldException;
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
            if (s.startsWith("spec.")) {
                throw new InvalidFieldException(s.substring(0, s.indexOf(' ')), s.substring(s.indexOf(' ') + 1));
            } else if (!s.isEmpty()) {
                throw new IllegalArgumentException(s);
            }
        });
        assertEquals(List.of(), v.validate(""));
        assertEquals(List.of(new Violation("spec.name", "is 64 bytes long")), v.validate("spec.name is 64 bytes long"));
        // the field is the exception's, not the text before a colon: a problem may hold colons of its own
        assertEquals(List.of(new Violation("spec.memberOf[0]", "refused: pg_read_server_files reads files")),
                v.validate("spec.memberOf[0] refused: pg_read_server_files reads files"));
        SpecValidator<String> plain = SpecValidator.fromBuilder(s -> {
            throw new IllegalArgumentException("spec.name: looks like a field, but nobody said so");
        });
        assertEquals(List.of(new Violation("spec", "spec.name: looks like a field, but nobody said so")), plain.validate("x"),
                "a plain refusal is the spec's as a whole, whatever its text");
    }
}
