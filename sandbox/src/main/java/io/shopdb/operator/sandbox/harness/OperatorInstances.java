package io.shopdb.operator.sandbox.harness;

import io.shopdb.operator.runtime.OperatorKilled;
import io.shopdb.operator.runtime.ReconcileCounter;
import io.shopdb.operator.runtime.RunningOperator;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.ResolvedControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.processing.Controller;
import io.quarkus.arc.ClientProxy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import io.quarkus.runtime.ShutdownEvent;
import io.shopdb.operator.OperatorShutdown;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Operator instances in one process, for what a cluster does to operator pods: kill one mid-work and start a
 * fresh one (a pod restart), or run two with leader election (two replicas). The sandbox and the fault tests
 * use it; production runs the one instance quarkus-operator-sdk builds.
 *
 * <p>A fresh instance is what a new pod would be: new reconciler objects (their event sources and anything they
 * hold in fields start empty), new informers that list and watch from scratch, new reconcile threads, and no
 * memory of the beans' in-memory state ({@link OperatorKilled} tells those beans to forget). It shares with the
 * old one only what a pod shares with its predecessor: the API server, the PostgreSQL servers, and this
 * process's configuration. The injected beans (clients, status writer, caches of Secrets...) are the same
 * objects; the state they keep between reconciles is cleared on a kill.
 *
 * <p>A kill is abrupt, as SIGKILL is: the instance's reconcile threads are interrupted (their next API call
 * fails), its PostgreSQL connections are closed under them (the server rolls back an open transaction and ends
 * the session when it next reads from it, as it does when a pod dies), its informers stop, and a Lease it holds
 * is not released (the next leader waits for it to expire). The PostgreSQL pools are the process's, so an
 * instance running beside the killed one (a second replica) loses its connections too and retries.
 */
@ApplicationScoped
public class OperatorInstances {
    private static final Logger LOG = Logger.getLogger(OperatorInstances.class);

    @Inject RunningOperator running;
    @Inject Event<OperatorKilled> killed;

    /** The instances made here and their reconcile threads (the built one's threads are JOSDK's own). */
    private final Map<Operator, ExecutorService> started = new ConcurrentHashMap<>();

    /** One operator instance: its JOSDK operator and a count of the reconciles it began. */
    public record Instance(String identity, Operator operator, ReconcileCounter reconciles) {}

    /**
     * Kills the running operator and starts a fresh one in its place: a pod restart.
     *
     * @param identity names the new instance in logs and in a Lease
     */
    public Instance restart(String identity) {
        kill(running.current());
        return startAsRunning(identity);
    }

    /** Kills the running operator and starts nothing: the time between a pod's death and its replacement. */
    public void killRunning() {
        kill(running.current());
    }

    /** Starts a fresh instance as the running operator (after {@link #killRunning}). */
    public Instance startAsRunning(String identity) {
        Instance fresh = start(identity, null);
        runningIs(fresh);
        return fresh;
    }

    /** From now on {@code instance} is the process's running operator (its caches serve metrics and lookups). */
    public void runningIs(Instance instance) {
        running.replaceWith(instance.operator());
    }

    /** Starts a fresh running instance unless one runs: after a test that may have left none. */
    public void ensureRunning(String identity) {
        if (!running.current().getRuntimeInfo().isStarted()) {
            startAsRunning(identity);
        }
    }

    /**
     * Starts a fresh instance beside whatever runs. With {@code election} it first campaigns for the Lease and
     * reconciles only while it holds it, as each replica of a Deployment does.
     */
    public Instance start(String identity, LeaderElectionConfiguration election) {
        Operator template = running.current();
        ConfigurationService base = running.built().getConfigurationService();
        ReconcileCounter counter = new ReconcileCounter(base.getMetrics());
        ExecutorService threads = Executors.newFixedThreadPool(base.concurrentReconciliationThreads(), reconcileThreads(identity));
        ConfigurationService config = ConfigurationService.newOverriddenConfigurationService(base, o -> {
            o.withCloseClientOnStop(false) // the client is the application's, shared with the beans
                    .withMetrics(counter)
                    .withExecutorService(threads)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(1));
            if (election != null) {
                o.withLeaderElectionConfiguration(election);
            }
        });
        Operator fresh = new Operator(config);
        for (RegisteredController<?> rc : template.getRegisteredControllers()) {
            register(fresh, (Controller<?>) rc, config);
        }
        started.put(fresh, threads);
        fresh.start();
        LOG.infof("operator instance %s started", identity);
        return new Instance(identity, fresh, counter);
    }

    /**
     * Kills one instance (see the class comment); what it was doing is left as a dead pod leaves it. The
     * instance quarkus-operator-sdk built runs on JOSDK's own threads, which are not interrupted: kill that one
     * while it is idle (the fault tests restart once before they make work to interrupt).
     */
    public void kill(Operator operator) {
        // interrupted threads fail their next API call: nothing of the old instance is written after this
        ExecutorService threads = started.remove(operator);
        if (threads != null) {
            threads.shutdownNow();
        }
        killed.fire(new OperatorKilled());
        try {
            operator.stop(); // informers and the leader elector (the Lease is left to expire)
        } catch (RuntimeException e) {
            LOG.debugf("stopping a killed operator: %s", e.toString());
        }
        LOG.info("operator instance killed");
    }

    /** The instances made here and not killed stop with the application, as the built one does (OperatorShutdown). */
    void onStop(@Observes ShutdownEvent event) {
        started.keySet().forEach(OperatorShutdown::stop);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(Operator fresh, Controller<?> controller, ConfigurationService config) {
        ControllerConfiguration c = controller.getConfiguration();
        Reconciler<?> reconciler = copyOf(controller.getReconciler());
        // the same controller settings, bound to the new instance's configuration (client, threads, metrics)
        var copy = new ResolvedControllerConfiguration(c.getName(), c.isGenerationAware(), c.getAssociatedReconcilerClassName(),
                c.getRetry(), c.getRateLimiter(), (Duration) c.maxReconciliationInterval().orElse(null), c.getFinalizerName(),
                Map.of(), c.fieldManager(), config, c.getInformerConfig(), c.triggerReconcilerOnAllEvents(),
                (io.javaoperatorsdk.operator.api.config.workflow.WorkflowSpec) c.getWorkflowSpec().orElse(null));
        fresh.register((Reconciler) reconciler, copy);
    }

    /**
     * A new reconciler object of the same class with the same injected beans: what CDI would make in a new
     * process. Fields that are not injected (event sources kept by prepareEventSources, memos) start empty.
     */
    static Reconciler<?> copyOf(Reconciler<?> reconciler) {
        Object source = ClientProxy.unwrap(reconciler);
        try {
            Object copy = source.getClass().getDeclaredConstructor().newInstance();
            for (Class<?> k = source.getClass(); k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Inject.class)) {
                        f.setAccessible(true);
                        f.set(copy, f.get(source));
                    }
                }
            }
            return (Reconciler<?>) copy;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a fresh " + source.getClass().getSimpleName() + ": " + e, e);
        }
    }

    private static ThreadFactory reconcileThreads(String identity) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "reconcile-" + identity + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
