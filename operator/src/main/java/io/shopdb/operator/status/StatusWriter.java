package io.shopdb.operator.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one reconcile body and turns its {@link Outcome} into status, Events and the next schedule, the
 * same way for every kind: status is patched only when it changed; Reconciling retries with a backoff
 * that grows with how long the resource has been reconciling (2 s .. 60 s), or none when an event ends the wait;
 * Ready re-checks every shopdb.recheck-interval ± 20% (drift is reverted then);
 * Stalled waits for a spec change. An unexpected exception becomes Reconciling, never a crash loop.
 */
@ApplicationScoped
public class StatusWriter {
    private static final Logger LOG = Logger.getLogger(StatusWriter.class);
    static final Duration MIN_BACKOFF = Duration.ofSeconds(2);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject EventRecorder events;
    @Inject io.fabric8.kubernetes.client.KubernetesClient client;
    @Inject io.shopdb.operator.runtime.ShopdbConfig config;
    /** Every outcome, for the metrics (ops/ResourceMetrics); observers must not throw into a reconcile. */
    @Inject jakarta.enterprise.event.Event<ReconcileReport> reports;
    Clock clock = Clock.systemUTC();

    public <S extends ShopdbStatus, R extends CustomResource<?, S>> UpdateControl<R> run(
            R resource, Context<R> context, Supplier<S> newStatus, Function<S, Outcome> body) {
        MDC.put("resource", resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
        try {
            S before = resource.getStatus();
            S status = copy(before, newStatus);
            Outcome outcome;
            try {
                outcome = body.apply(status);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                LOG.warnf("reconcile failed on a Kubernetes API request: %s", e.toString());
                outcome = keepPhase(Outcome.reconciling(Reasons.KUBERNETES_API_ERROR, "Kubernetes API request failed, will retry: "
                        + apiFailure(e)), before);
            } catch (RuntimeException e) {
                LOG.warnf("reconcile failed: %s", e.toString());
                outcome = keepPhase(Outcome.reconciling(Reasons.ERROR, "Unexpected error, will retry: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + Messages.firstLine(e.getMessage()))), before);
            }
            boolean changed = conclude(resource, before, status, outcome);
            report(resource, outcome, status);
            Duration next = nextCheck(outcome, status);
            if (changed && deletedMeanwhile(resource, patcher.patch(resource, status, context))) {
                next = Duration.ZERO; // the cleanup runs now, not at the next re-check
            }
            resource.setStatus(status);
            UpdateControl<R> control = UpdateControl.noUpdate();
            return next == null ? control : control.rescheduleAfter(next);
        } finally {
            MDC.remove("resource");
        }
    }

    /** Writes a changed status and answers the object as stored (its metadata as the API server has it now). */
    interface StatusPatcher {
        <S extends ShopdbStatus, R extends CustomResource<?, S>> R patch(R resource, S status, Context<R> context);
    }

    StatusPatcher patcher = this::patchAndCache;

    /**
     * Patches the status (a JSON patch from the status this reconcile read, without resourceVersion: status is
     * this operator's alone) and puts the answer in the primary cache, so the next reconcile reads what was written.
     * The write is done here rather than by returning UpdateControl.patchStatus because the framework (JOSDK 5.3.2)
     * treats every event that arrives during its own status write and is older than the write's answer as an echo
     * of that write, and drops it: a deletion landing between the read and the write then reached no one until the
     * next re-check (90 s or more for a resource waiting for an event; kubectl delete timed out). Here the answer
     * is read ({@link #deletedMeanwhile}).
     */
    private <S extends ShopdbStatus, R extends CustomResource<?, S>> R patchAndCache(R resource, S status, Context<R> context) {
        R base = client.getKubernetesSerialization().clone(resource);
        base.getMetadata().setResourceVersion(null);
        R written = client.resource(base).editStatus(r -> {
            r.setStatus(status);
            return r;
        });
        context.eventSourceRetriever().getControllerEventSource()
                .handleRecentResourceUpdate(ResourceID.fromResource(written), written, resource);
        return written;
    }

    /** The stored object was marked for deletion after this reconcile read it. */
    static boolean deletedMeanwhile(CustomResource<?, ?> read, CustomResource<?, ?> written) {
        return written != null && written.getMetadata().getDeletionTimestamp() != null && read.getMetadata().getDeletionTimestamp() == null;
    }

    /**
     * The API server's own words (code, reason, message of its Status) rather than fabric8's long
     * "Failure executing: ..." line; without an answer (a closed connection) the client's message.
     */
    static String apiFailure(io.fabric8.kubernetes.client.KubernetesClientException e) {
        var s = e.getStatus();
        if (e.getCode() > 0 && s != null && s.getMessage() != null) {
            return e.getCode() + (s.getReason() == null ? "" : " " + s.getReason()) + ": " + Messages.firstLine(s.getMessage());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return Messages.firstLine(String.valueOf(e.getMessage() != null ? e.getMessage() : root.toString()));
    }

    /**
     * Writes an outcome outside a reconcile, e.g. from a Cleaner whose deletion cannot finish: the same conditions,
     * the same write-only-on-change (a status patch) and the same Events as {@link #run}.
     */
    public <S extends ShopdbStatus, R extends CustomResource<?, S>> void record(R resource, Supplier<S> newStatus, Outcome outcome) {
        S before = resource.getStatus();
        S status = copy(before, newStatus);
        if (conclude(resource, before, status, outcome)) {
            client.resource(resource).editStatus(r -> {
                r.setStatus(status);
                return r;
            });
        }
    }

    /** Applies the outcome as conditions; true (and a log line and maybe an Event) when the status changed. */
    private <S extends ShopdbStatus> boolean conclude(CustomResource<?, S> resource, S before, S status, Outcome outcome) {
        Conditions.apply(status, resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration(), outcome, clock);
        boolean changed = !MAPPER.valueToTree(status).equals(before == null ? null : MAPPER.valueToTree(before));
        if (changed) {
            LOG.infof("%s %s: %s", outcome.phase(), outcome.reason(), outcome.message());
            announce(resource, before, outcome);
        }
        return changed;
    }

    private void report(CustomResource<?, ?> resource, Outcome outcome, ShopdbStatus status) {
        if (reports == null) {
            return;
        }
        try {
            var ready = Conditions.find(status, Conditions.READY);
            Instant since = outcome.isReady() && ready != null && ready.getLastTransitionTime() != null
                    ? Instant.parse(ready.getLastTransitionTime()) : null;
            reports.fire(new ReconcileReport(resource.getKind(), resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), outcome.state(), since));
        } catch (RuntimeException e) {
            LOG.debugf("reconcile report not delivered: %s", e.toString());
        }
    }

    /** An Event when the Ready/Stalled verdict or its reason changes, not on every reconcile. */
    private void announce(CustomResource<?, ?> resource, ShopdbStatus before, Outcome outcome) {
        var old = before == null ? null : Conditions.find(before, Conditions.READY);
        var oldStalled = before == null ? null : Conditions.find(before, Conditions.STALLED);
        String oldKey = old == null ? "" : old.getStatus() + (oldStalled == null ? "" : oldStalled.getStatus()) + old.getReason();
        String newKey = (outcome.isReady() ? "True" : "False") + (outcome.isStalled() ? "True" : "False") + outcome.reason();
        if (oldKey.equals(newKey)) {
            return;
        }
        if (outcome.isStalled()) {
            events.warning(resource, outcome.reason(), outcome.message());
        } else {
            events.normal(resource, outcome.reason(), outcome.message());
        }
    }

    /**
     * A reconcile that failed on a request learned nothing about the resource: a specific phase it was in (Hibernated,
     * Waking, Standby, FailingOver, ...) stays, so the next reconcile does not mistake, say, a cluster waking from
     * hibernation for one whose primary was lost. The generic phases follow the failed outcome.
     */
    static Outcome keepPhase(Outcome failed, ShopdbStatus before) {
        String phase = before == null ? null : before.getPhase();
        if (phase == null || java.util.Set.of("Ready", "Reconciling", "Stalled").contains(phase)) {
            return failed;
        }
        return failed.withPhase(phase);
    }

        Duration nextCheck(Outcome outcome, ShopdbStatus status) {
        return switch (outcome.state()) {
            case READY -> spread(config.recheckInterval());
            case STALLED -> outcome.recheckInputs() ? spread(config.recheckInterval()) : null;
            case RECONCILING -> {
                if (!outcome.recheckInputs()) {
                    // woken by an event (Outcome.waitingForEvent); the long safety re-check only bounds a lost wake-up
                    yield spread(config.waitingRecheck());
                }
                var since = Conditions.find(status, Conditions.RECONCILING).getLastTransitionTime();
                Duration elapsed = Duration.between(Instant.parse(since), Instant.now(clock));
                Duration half = elapsed.dividedBy(2);
                yield half.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF : half.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : half;
            }
        };
    }

    /**
     * The re-check interval × a random factor in [0.8, 1.2): resources that became Ready together (a thousand
     * roles after their cluster) drift apart at each re-check instead of waking in the same second forever.
     */
    static Duration spread(Duration interval) {
        double factor = 0.8 + 0.4 * java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (interval.toMillis() * factor)));
    }

    @SuppressWarnings("unchecked")
    private static <S extends ShopdbStatus> S copy(S before, Supplier<S> newStatus) {
        if (before == null) {
            return newStatus.get();
        }
        return (S) MAPPER.convertValue(MAPPER.valueToTree(before), before.getClass());
    }
}
