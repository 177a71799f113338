package io.shopdb.operator.status;

import io.shopdb.operator.sql.InvalidFieldException;

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

    /**
     * A builder of desired state that refuses bad input by throwing {@link InvalidFieldException} (role/RoleSpecs,
     * access/DatabaseSpecs), as a validator: its first violation, in the same result style.
     */
    static <T> SpecValidator<T> fromBuilder(java.util.function.Consumer<T> builder) {
        return spec -> {
            try {
                builder.accept(spec);
                return List.of();
            } catch (InvalidFieldException e) {
                return List.of(new Violation(e.field(), e.problem()));
            } catch (IllegalArgumentException e) {
                return List.of(new Violation("spec", e.getMessage() == null ? "invalid" : e.getMessage()));
            }
        };
    }

    /** Stalled/InvalidSpec naming every violation, or null when there is none. */
    static Outcome outcome(List<Violation> violations) {
        if (violations.isEmpty()) {
            return null;
        }
        return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", violations.stream().map(Violation::toString).toList()));
    }
}
