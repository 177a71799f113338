package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;

/**
 * spec.hibernate: the StatefulSet runs no replica (InstanceSetBuilder), its claims, the Secrets, the ConfigMap and
 * the status (the current primary among it) stay, so waking starts the same instances on the same data, the former
 * primary as primary. Failover, switchover and the primary's probe do nothing meanwhile: no instance runs.
 */
final class Hibernation {
    static final String PHASE_HIBERNATING = "Hibernating";
    static final String PHASE_HIBERNATED = "Hibernated";
    static final String PHASE_WAKING = "Waking";

    private Hibernation() {}

    /** Stopping while pods remain; then done, with phase Hibernated (Ready: what the spec asks for is so). */
    static Outcome outcome(PostgresClusterStatus status, int podsLeft) {
        status.setPrimaryReachable(false);
        status.setReadyInstances(0);
        status.setReplicas(new java.util.ArrayList<>());
        if (podsLeft > 0) {
            return Outcome.reconciling(Reasons.HIBERNATING, "Stopping " + podsLeft + " instance(s); the volumes and Secrets stay")
                    .withPhase(PHASE_HIBERNATING);
        }
        return Outcome.ready(Reasons.HIBERNATED, "No instance runs (spec.hibernate); the volumes, Secrets and configuration are"
                + " kept: set spec.hibernate to false to start them again").withPhase(PHASE_HIBERNATED);
    }

    /**
     * Waking (spec.hibernate back to false) until the former primary is up again: every instance starts at once, so a
     * primary not ready yet is a start, not a loss, and failover has nothing to decide (no replica streamed since).
     */
    static boolean waking(PostgresClusterStatus status) {
        String phase = status.getPhase();
        return PHASE_HIBERNATED.equals(phase) || PHASE_HIBERNATING.equals(phase) || PHASE_WAKING.equals(phase);
    }

    static Outcome wakingOutcome(String primary, int ready, int wanted, java.util.List<String> podProblems) {
        String message = "Starting the instances on their volumes (" + ready + "/" + wanted + " ready), " + primary + " as primary"
                + (podProblems.isEmpty() ? "" : ": " + String.join("; ", podProblems));
        return Outcome.reconciling(podProblems.isEmpty() ? Reasons.WAITING_FOR_INSTANCES : Reasons.INSTANCE_FAILING, message)
                .withPhase(PHASE_WAKING);
    }
}
