package io.shopdb.operator.runtime;

import io.javaoperatorsdk.operator.Operator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator instance that runs in this process now. Normally the one quarkus-operator-sdk built; after a
 * restart (the sandbox's restart harness: its and the fault tests' stand-in for a pod restart) a fresh one.
 * Code outside the controllers that reads the controllers' caches (metrics, Secret lookups) asks here, never
 * the injected {@link Operator}, so it follows the restart.
 */
@ApplicationScoped
public class RunningOperator {
    @Inject Instance<Operator> built; // looked up lazily: the operator's controllers use beans that use this one
    private final AtomicReference<Operator> replacement = new AtomicReference<>();

    public Operator current() {
        Operator r = replacement.get();
        return r != null ? r : built.get();
    }

    /**
     * Starts the current operator unless it runs. With our own @QuarkusMain the extension's start-up listener
     * does not start it, so the application does, once (tests start it through the extension: then a no-op).
     */
    public void ensureStarted() {
        Operator op = current();
        if (!op.getRuntimeInfo().isStarted()) {
            op.start();
        }
    }

    /** The instance quarkus-operator-sdk built from this application's configuration. */
    public Operator built() {
        return built.get();
    }

    /** From now on {@code next} is the running operator (the previous one was stopped by the caller). */
    public void replaceWith(Operator next) {
        replacement.set(next);
    }
}
