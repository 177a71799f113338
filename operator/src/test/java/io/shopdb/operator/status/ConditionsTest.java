package io.shopdb.operator.status;

import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ConditionsTest {
    private static final Clock T0 = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Clock T1 = Clock.fixed(Instant.parse("2026-01-01T00:05:00Z"), ZoneOffset.UTC);

    @Test
    void reconcilingDoesNotAdvanceObservedGeneration() {
        var status = new PostgresClusterStatus();
        Conditions.apply(status, 3, Outcome.reconciling(Reasons.WAITING_FOR_INSTANCES, "creating"), T0);
        assertNull(status.getObservedGeneration());
        assertEquals("Reconciling", status.getPhase());
        assertEquals("True", Conditions.find(status, Conditions.RECONCILING).getStatus());
        assertEquals("False", Conditions.find(status, Conditions.READY).getStatus());
        assertEquals("False", Conditions.find(status, Conditions.STALLED).getStatus());
    }

    @Test
    void stalledIsTheTrueStalledConditionOnly() {
        var status = new PostgresClusterStatus();
        assertNull(Conditions.stalled(status), "no conditions yet");
        assertNull(Conditions.stalled(null));
        Conditions.apply(status, 1, Outcome.reconciling(Reasons.WAITING_FOR_INSTANCES, "creating"), T0);
        assertNull(Conditions.stalled(status), "Stalled False is not stalled");
        Conditions.apply(status, 1, Outcome.stalled(Reasons.INVALID_SPEC, "spec.name: too long"), T0);
        assertEquals("spec.name: too long", Conditions.stalled(status).getMessage());
        assertEquals(Reasons.INVALID_SPEC, Conditions.stalled(status).getReason());
    }

    @Test
    void readyAndStalledFinishTheGeneration() {
        var status = new PostgresClusterStatus();
        Conditions.apply(status, 4, Outcome.ready(Reasons.READY, "ok"), T0);
        assertEquals(4L, status.getObservedGeneration());
        Conditions.apply(status, 5, Outcome.stalled(Reasons.INVALID_SPEC, "spec.instances: bad"), T1);
        assertEquals(5L, status.getObservedGeneration());
        assertEquals("True", Conditions.find(status, Conditions.STALLED).getStatus());
        assertEquals("spec.instances: bad", Conditions.find(status, Conditions.STALLED).getMessage());
        assertEquals(5L, Conditions.find(status, Conditions.READY).getObservedGeneration());
    }

    @Test
    void unchangedConditionKeepsItsTransitionTimeSoSteadyStateIsIdentical() {
        var status = new PostgresClusterStatus();
        Conditions.apply(status, 1, Outcome.ready(Reasons.READY, "ok"), T0);
        var before = Conditions.find(status, Conditions.READY).getLastTransitionTime();
        Conditions.apply(status, 1, Outcome.ready(Reasons.READY, "ok"), T1);
        assertEquals(before, Conditions.find(status, Conditions.READY).getLastTransitionTime());
        Conditions.apply(status, 1, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"), T1);
        assertEquals("2026-01-01T00:05:00Z", Conditions.find(status, Conditions.READY).getLastTransitionTime());
    }
}
