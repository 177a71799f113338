package io.shopdb.operator.runtime;

/**
 * CDI event: the operator instance of this process was killed (the sandbox's restart harness). Beans that keep
 * state between reconciles in memory forget it here, as a new pod would not have it: open PostgreSQL
 * connections, pods already deleted, a primary's restart under way.
 */
public record OperatorKilled() {}
