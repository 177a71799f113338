package io.shopdb.operator.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** StatusWriter on its own (no Quarkus, no API server): what it writes, when it writes, what it announces, when it retries. */
class StatusWriterTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Events as they would be sent. */
    static final class Recorder extends EventRecorder {
        final List<String> sent = new ArrayList<>();

        @Override
        public void normal(HasMetadata regarding, String reason, String message) {
            sent.add("Normal " + reason);
        }

        @Override
        public void warning(HasMetadata regarding, String reason, String message) {
            sent.add("Warning " + reason);
        }
    }

    final Recorder events = new Recorder();
    final StatusWriter writer = new StatusWriter();
    /** Status writes as the API server would receive them; the answer is the object, maybe marked for deletion. */
    final List<Object> writes = new ArrayList<>();
    String deletionTimestampOfAnswer;

    StatusWriterTest() {
        writer.events = events;
        writer.patcher = new StatusWriter.StatusPatcher() {
            @Override
            public <S extends io.shopdb.operator.api.v1alpha1.ShopdbStatus, R extends io.fabric8.kubernetes.client.CustomResource<?, S>> R patch(
                    R resource, S status, io.javaoperatorsdk.operator.api.reconciler.Context<R> context) {
                writes.add(status);
                R answer = io.fabric8.kubernetes.client.utils.Serialization.clone(resource);
                answer.setStatus(status);
                answer.getMetadata().setDeletionTimestamp(deletionTimestampOfAnswer);
                return answer;
            }
        };
        writer.config = new ShopdbConfig() {
            @Override public Duration recheckInterval() { return Duration.ofSeconds(60); }
            @Override public Duration waitingRecheck() { return Duration.ofMinutes(10); }
            @Override public Agent agent() { return null; }
            @Override public Pool pool() { return null; }
        };
        at(T0);
    }

    void at(Instant now) {
        writer.clock = Clock.fixed(now, ZoneOffset.UTC);
    }

    static PostgresRole role() {
        var r = new PostgresRole();
        r.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("shop").withGeneration(2L).build());
        return r;
    }

    UpdateControl<PostgresRole> run(PostgresRole r, Outcome outcome) {
        return writer.run(r, null, PostgresRoleStatus::new, status -> outcome);
    }

    @Test
    void theStatusIsPatchedOnlyWhenItChanged() {
        PostgresRole r = role();
        run(r, Outcome.ready(Reasons.READY, "role app in sync"));
        assertEquals(1, writes.size(), "a new status is written");
        assertEquals("Ready", r.getStatus().getPhase());
        assertEquals(2L, r.getStatus().getObservedGeneration());
        at(T0.plusSeconds(60));
        run(r, Outcome.ready(Reasons.READY, "role app in sync"));
        assertEquals(1, writes.size(), "the same verdict later writes nothing");
        run(r, Outcome.ready(Reasons.READY, "role app in sync, 3 grants"));
        assertEquals(2, writes.size(), "a new message is a change");
    }

    /** The status write's answer shows a deletion the reconcile did not see: the cleanup is asked for now (DependentsOperatorTest). */
    @Test
    void aDeletionSeenInTheStatusWritesAnswerReschedulesAtOnce() {
        assertAroundTheInterval(delay(run(role(), Outcome.ready(Reasons.READY, "ok"))));
        deletionTimestampOfAnswer = "2026-01-01T00:00:01Z";
        assertEquals(Duration.ZERO, delay(run(role(), Outcome.waitingForEvent(Reasons.WAITING_FOR_INSTANCES, "cluster not Ready"))));
        PostgresRole alreadyDeleting = role();
        alreadyDeleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertAroundTheInterval(delay(run(alreadyDeleting, Outcome.ready(Reasons.READY, "ok"))));
    }

    @Test
    void anEventGoesOutWhenTheVerdictOrItsReasonChangesNotOnEveryReconcile() {
        PostgresRole r = role();
        run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "connection refused"));
        run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "connection refused again"));
        run(r, Outcome.ready(Reasons.READY, "ok"));
        run(r, Outcome.ready(Reasons.READY, "ok, still"));
        run(r, Outcome.stalled(Reasons.CONFLICT, "PostgresRole other owns role app"));
        run(r, Outcome.stalled(Reasons.CONFLICT, "PostgresRole other owns role app"));
        assertEquals(List.of("Normal ServerUnreachable", "Normal Ready", "Warning Conflict"), events.sent);
    }

    @Test
    void reconcilingRetriesBackOffFromTwoSecondsToAMinuteWithTheTimeSpentReconciling() {
        PostgresRole r = role();
        assertEquals(Duration.ofSeconds(2), delay(run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"))));
        at(T0.plusSeconds(3));
        assertEquals(Duration.ofSeconds(2), delay(run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"))), "never below 2 s");
        at(T0.plusSeconds(20));
        assertEquals(Duration.ofSeconds(10), delay(run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"))), "half the time so far");
        at(T0.plusSeconds(90));
        assertEquals(Duration.ofSeconds(45), delay(run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"))));
        at(T0.plusSeconds(3600));
        assertEquals(Duration.ofSeconds(60), delay(run(r, Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "down"))), "never above 60 s");
    }

    @Test
    void readyRechecksAroundTheIntervalAndStalledWaitsForAChangeUnlessItsInputsCanChange() {
        for (int i = 0; i < 20; i++) {
            assertAroundTheInterval(delay(run(role(), Outcome.ready(Reasons.READY, "ok"))));
            assertAroundTheInterval(delay(run(role(), Outcome.stalledOnInputs(Reasons.INVALID_SPEC, "ConfigMap x: bad"))));
        }
        assertTrue(run(role(), Outcome.stalled(Reasons.INVALID_SPEC, "spec.name: bad")).getScheduleDelay().isEmpty());
        Duration waiting = delay(run(role(), Outcome.waitingForEvent(Reasons.WAITING_FOR_INSTANCES, "cluster not Ready")));
        assertTrue(waiting.compareTo(Duration.ofMinutes(8)) >= 0 && waiting.compareTo(Duration.ofMinutes(12)) < 0,
                "an event ends the wait; only the long safety re-check (10 min ± 20 %) is scheduled: " + waiting);
    }

    /** The re-check interval (60 s) spread by ±20 %, so resources Ready together do not wake together. */
    private static void assertAroundTheInterval(Duration d) {
        assertTrue(d.compareTo(Duration.ofSeconds(48)) >= 0 && d.compareTo(Duration.ofSeconds(72)) < 0, d.toString());
    }

    @Test
    void anExceptionInTheBodyBecomesReconcilingError() {
        PostgresRole r = role();
        writer.run(r, null, PostgresRoleStatus::new, status -> {
            throw new IllegalStateException("boom\nsecond line");
        });
        assertEquals(1, writes.size());
        var reconciling = Conditions.find(r.getStatus(), Conditions.RECONCILING);
        assertEquals("True", reconciling.getStatus());
        assertEquals(Reasons.ERROR, reconciling.getReason());
        assertEquals("Unexpected error, will retry: IllegalStateException: boom", reconciling.getMessage());
    }

    @Test
    void aFailedKubernetesApiRequestIsReconcilingWithTheServersAnswer() {
        PostgresRole r = role();
        writer.run(r, null, PostgresRoleStatus::new, status -> {
            throw new io.fabric8.kubernetes.client.KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder()
                    .withCode(429).withReason("TooManyRequests").withMessage("Too many requests, please try again later.").build());
        });
        var reconciling = Conditions.find(r.getStatus(), Conditions.RECONCILING);
        assertEquals("True", reconciling.getStatus());
        assertEquals(Reasons.KUBERNETES_API_ERROR, reconciling.getReason());
        assertEquals("Kubernetes API request failed, will retry: 429 TooManyRequests: Too many requests, please try again later.",
                reconciling.getMessage());
        writer.run(r, null, PostgresRoleStatus::new, status -> {
            throw new io.fabric8.kubernetes.client.KubernetesClientException("Connection was closed");
        });
        assertEquals("Kubernetes API request failed, will retry: Connection was closed",
                Conditions.find(r.getStatus(), Conditions.RECONCILING).getMessage());
    }

    @Test
    void aFailedRequestKeepsASpecificPhaseButNotAGenericOne() {
        PostgresRole r = role();
        r.setStatus(new PostgresRoleStatus());
        r.getStatus().setPhase("Hibernated");
        writer.run(r, null, PostgresRoleStatus::new, status -> {
            throw new io.fabric8.kubernetes.client.KubernetesClientException("409 Conflict");
        });
        assertEquals("Hibernated", r.getStatus().getPhase(), "a failed request says nothing about the mode it is in");
        assertEquals(Reasons.KUBERNETES_API_ERROR, Conditions.find(r.getStatus(), Conditions.RECONCILING).getReason());
        r.getStatus().setPhase("Ready");
        writer.run(r, null, PostgresRoleStatus::new, status -> {
            throw new IllegalStateException("boom");
        });
        assertEquals("Reconciling", r.getStatus().getPhase());
    }

        private static Duration delay(UpdateControl<?> c) {
        return Duration.ofMillis(c.getScheduleDelay().orElseThrow());
    }
}
