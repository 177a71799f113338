package io.shopdb.operator.access;

/**
 * A planned switchover is about to fence the primary: fired synchronously (CDI) before anything changes, so
 * observers can prepare (the poolers PAUSE: clients wait instead of failing). {@link PrimaryChanged} follows
 * once the new primary is promoted and labelled.
 */
public record SwitchoverStarting(String namespace, String cluster, String from, String to) {}
