package io.shopdb.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes an {@link Outcome} into a status as the three kstatus conditions. Pure apart from the clock:
 * a condition whose status did not change keeps its lastTransitionTime, so a steady-state reconcile
 * produces an identical status and therefore no Kubernetes write.
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";

    private Conditions() {}

    public static void apply(ShopdbStatus status, long generation, Outcome outcome, Clock clock) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        List<Condition> previous = status.getConditions() == null ? List.of() : status.getConditions();
        List<Condition> next = new ArrayList<>();
        next.add(merge(previous, READY, outcome.isReady(), outcome, generation, now));
        next.add(merge(previous, RECONCILING, outcome.state() == Outcome.State.RECONCILING, outcome, generation, now));
        next.add(merge(previous, STALLED, outcome.isStalled(), outcome, generation, now));
        status.setConditions(next);
        status.setPhase(outcome.phase());
        if (outcome.isFinished()) {
            status.setObservedGeneration(generation);
        }
    }

    public static Condition find(ShopdbStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    public static boolean isReady(ShopdbStatus status) {
        return isTrue(status, READY);
    }

    /** Whether the condition {@code type} is there and True. */
    public static boolean isTrue(ShopdbStatus status, String type) {
        Condition c = find(status, type);
        return c != null && "True".equals(c.getStatus());
    }

    /** The Stalled condition when it is True (its reason and message say why), else null. */
    public static Condition stalled(ShopdbStatus status) {
        return isTrue(status, STALLED) ? find(status, STALLED) : null;
    }

    private static Condition merge(List<Condition> previous, String type, boolean active, Outcome outcome,
                                   long generation, String now) {
        String value = active ? "True" : "False";
        Condition old = previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = old != null && Objects.equals(old.getStatus(), value) ? old.getLastTransitionTime() : now;
        return new ConditionBuilder()
                .withType(type)
                .withStatus(value)
                .withReason(outcome.reason())
                .withMessage(outcome.message())
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
    }
}
