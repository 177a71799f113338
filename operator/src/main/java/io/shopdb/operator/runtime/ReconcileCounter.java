package io.shopdb.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JOSDK's metrics of one operator instance, passed on to the application's, plus a count of the reconciles
 * this instance began: with two replicas, the proof that only the leader reconciles.
 */
public final class ReconcileCounter implements Metrics {
    private final Metrics next;
    private final AtomicLong started = new AtomicLong();

    public ReconcileCounter(Metrics next) {
        this.next = next != null ? next : Metrics.NOOP;
    }

    /** Reconciles (and clean-ups) this instance began. */
    public long started() {
        return started.get();
    }

    @Override
    public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
        started.incrementAndGet();
        next.reconciliationStarted(resource, metadata);
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
        next.controllerRegistered(controller);
    }

    @Override
    public void eventReceived(Event event, Map<String, Object> metadata) {
        next.eventReceived(event, metadata);
    }

    @Override
    public void reconciliationSubmitted(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        next.reconciliationSubmitted(resource, retryInfo, metadata);
    }

    @Override
    public void reconciliationFailed(HasMetadata resource, RetryInfo retryInfo, Exception exception, Map<String, Object> metadata) {
        next.reconciliationFailed(resource, retryInfo, exception, metadata);
    }

    @Override
    public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
        next.reconciliationSucceeded(resource, metadata);
    }

    @Override
    public void reconciliationFinished(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        next.reconciliationFinished(resource, retryInfo, metadata);
    }

    @Override
    public void cleanupDone(ResourceID resourceID, Map<String, Object> metadata) {
        next.cleanupDone(resourceID, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        return next.timeControllerExecution(execution);
    }
}
