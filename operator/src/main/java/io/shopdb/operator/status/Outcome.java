package io.shopdb.operator.status;

/**
 * What one reconcile concluded, before it is written as conditions. Three states only, because that is
 * what kstatus and Argo CD understand: done (Ready), still working (Reconciling, retried with backoff),
 * or stuck until a person acts (Stalled, not retried).
 */
public record Outcome(State state, String reason, String message, boolean recheckInputs, String phaseOverride) {

    public enum State { READY, RECONCILING, STALLED }

    public Outcome(State state, String reason, String message, boolean recheckInputs) {
        this(state, reason, message, recheckInputs, null);
    }

    /** The same verdict with a more specific phase for printer columns, e.g. FailingOver while Reconciling. */
    public Outcome withPhase(String phase) {
        return new Outcome(state, reason, message, recheckInputs, phase);
    }

    public static Outcome ready(String reason, String message) {
        return new Outcome(State.READY, reason, message, true);
    }

    public static Outcome reconciling(String reason, String message) {
        return new Outcome(State.RECONCILING, reason, message, true);
    }

    /**
     * Reconciling, waiting for something whose change arrives as an event (the referenced cluster turning
     * Ready): no backoff timer, so a thousand waiting resources cost nothing and all start the moment it does.
     */
    public static Outcome waitingForEvent(String reason, String message) {
        return new Outcome(State.RECONCILING, reason, message, false);
    }

    /** A wait: on the event when one will come ({@link #waitingForEvent}), else re-checked with backoff ({@link #reconciling}). */
    public static Outcome waiting(boolean eventComing, String reason, String message) {
        return eventComing ? waitingForEvent(reason, message) : reconciling(reason, message);
    }

    public static Outcome stalled(String reason, String message) {
        return new Outcome(State.STALLED, reason, message, false);
    }

    /**
     * Stalled on inputs that can change without a new generation (a ConfigMap's content): re-checked at the
     * re-check interval, cheaply, so fixing the input is noticed without touching the resource.
     */
    public static Outcome stalledOnInputs(String reason, String message) {
        return new Outcome(State.STALLED, reason, message, true);
    }

    public boolean isReady() { return state == State.READY; }
    public boolean isStalled() { return state == State.STALLED; }

    /** Ready and Stalled both end a reconcile of this generation; only then does observedGeneration advance. */
    public boolean isFinished() { return state != State.RECONCILING; }

    public String phase() {
        if (phaseOverride != null) {
            return phaseOverride;
        }
        return switch (state) {
            case READY -> "Ready";
            case RECONCILING -> "Reconciling";
            case STALLED -> "Stalled";
        };
    }
}
