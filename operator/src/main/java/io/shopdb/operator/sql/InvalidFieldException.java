package io.shopdb.operator.sql;

/**
 * A spec field that cannot be used, as a value: the field's path ({@code spec.memberOf[0]}) and what is wrong with it.
 * Builders of desired state throw it; validators report it as it is, without reading it back out of a message.
 */
public final class InvalidFieldException extends IllegalArgumentException {
    private final String field;
    private final String problem;

    public InvalidFieldException(String field, String problem) {
        this(field, problem, null);
    }

    private InvalidFieldException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
        this.problem = problem;
    }

    /** A lower layer's refusal (no field of its own) as a problem of {@code field}. */
    public static InvalidFieldException at(String field, IllegalArgumentException refusal) {
        return new InvalidFieldException(field, refusal.getMessage() == null ? "invalid" : refusal.getMessage(), refusal);
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
