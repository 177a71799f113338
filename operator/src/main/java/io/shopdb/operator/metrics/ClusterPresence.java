package io.shopdb.operator.metrics;

import io.shopdb.operator.runtime.RunningOperator;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.access.ClusterConnections;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The PostgresClusters in the cluster controller's informer cache, but only when that cache can be trusted to
 * say a cluster is absent. {@link PrimaryCaches} answers "nothing" both for "no clusters" and for "informer not
 * started, restarting or failing"; for metrics that is harmless, for closing pools (see {@link GoneClusters}) it
 * is not.
 */
@ApplicationScoped
public class ClusterPresence {
    @Inject RunningOperator running;

    /**
     * namespace/name of every cached cluster, or null when the operator is not started, or any informer of the
     * cluster controller is not running, not synced or not watching, or the read failed.
     */
    Set<String> read() {
        try {
            Operator operator = running.current();
            if (!operator.getRuntimeInfo().isStarted()) {
                return null;
            }
            for (RegisteredController<?> rc : operator.getRegisteredControllers()) {
                if (rc instanceof Controller<?> controller && controller.getConfiguration().getResourceClass() == PostgresCluster.class) {
                    ControllerEventSource<?> source = controller.getEventSourceManager().getControllerEventSource();
                    if (!trusted(source)) {
                        return null;
                    }
                    Set<String> keys = source.list(r -> true)
                            .map(r -> ClusterConnections.key((PostgresCluster) r))
                            .collect(Collectors.toSet());
                    // checked again after the read: an informer replaced meanwhile (namespace change, restart) may have been half-filled
                    return trusted(source) ? keys : null;
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null; // stopping, or not built yet: no verdict
        }
    }

    private static boolean trusted(ControllerEventSource<?> source) {
        var informers = source.informerHealthIndicators().values();
        return !informers.isEmpty() && informers.stream().allMatch(ClusterPresence::trusted);
    }

    private static boolean trusted(InformerHealthIndicator informer) {
        return informer.isRunning() && informer.hasSynced() && informer.isWatching();
    }
}
