package io.shopdb.operator.status;

import java.util.List;

/**
 * The one style of spec validation: a validator per kind returns every violation it finds, each a field path and
 * what is wrong with it ({@code spec.databases[0]: must be at most 63 bytes}). The CRD schema and CEL rules refuse
 * most of these at admission; validators repeat them for API servers that skip them and add what CEL cannot check.
 */
@FunctionalInterface
public interface SpecValidator<T> {

    List<Violation> validate(T spec);

    record Violation(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    /** Stalled/InvalidSpec naming every violation, or null when there is none. */
    static Outcome outcome(List<Violation> violations) {
        if (violations.isEmpty()) {
            return null;
        }
        return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", violations.stream().map(Violation::toString).toList()));
    }
}
