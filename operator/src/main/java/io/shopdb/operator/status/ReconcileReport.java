package io.shopdb.operator.status;

import java.time.Instant;

/**
 * What the {@link StatusWriter} concluded for one resource, published as a CDI event after each reconcile so
 * observers (the metrics) learn every outcome without the controllers knowing about them.
 *
 * @param readySince lastTransitionTime of Ready=True, or null while not Ready
 */
public record ReconcileReport(String kind, String namespace, String name, Outcome.State state, Instant readySince) {}
