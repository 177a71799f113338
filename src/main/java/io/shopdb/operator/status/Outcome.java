package io.shopdb.operator.status;

/**
 * What one reconcile concluded, before it is written as conditions. Three states only, because that is
 * what kstatus and Argo CD understand: done (Ready), still working (Reconciling, retried with backoff),
 * or stuck until a person acts (Stalled, not retried).
 */
public record Outcome(State state, String reason, String message) {

    public enum State { READY, RECONCILING, STALLED }

    public static Outcome ready(String reason, String message) {
        return new Outcome(State.READY, reason, message);
    }

    public static Outcome reconciling(String reason, String message) {
        return new Outcome(State.RECONCILING, reason, message);
    }

    public static Outcome stalled(String reason, String message) {
        return new Outcome(State.STALLED, reason, message);
    }

    public boolean isReady() { return state == State.READY; }
    public boolean isStalled() { return state == State.STALLED; }

    /** Ready and Stalled both end a reconcile of this generation; only then does observedGeneration advance. */
    public boolean isFinished() { return state != State.RECONCILING; }

    public String phase() {
        return switch (state) {
            case READY -> "Ready";
            case RECONCILING -> "Reconciling";
            case STALLED -> "Stalled";
        };
    }
}
