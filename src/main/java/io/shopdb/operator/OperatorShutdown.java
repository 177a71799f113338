package io.shopdb.operator;

import io.javaoperatorsdk.operator.Operator;
import io.shopdb.operator.ops.OperatorInstances;
import io.shopdb.operator.ops.RunningOperator;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Stops the operator when the application stops. We start it ourselves ({@link OperatorApplication}), so
 * the extension's listener does not stop it; without this, a restarted application (tests boot Quarkus more
 * than once) would leave the old controllers running. Instances started beside it (a restart's fresh one, a
 * second replica, see {@link OperatorInstances}) stop too.
 */
@ApplicationScoped
public class OperatorShutdown {
    private static final Logger LOG = Logger.getLogger(OperatorShutdown.class);

    @Inject RunningOperator running;
    @Inject OperatorInstances instances;

    void onStop(@Observes ShutdownEvent event) {
        Set<Operator> all = new LinkedHashSet<>(instances.startedHere());
        all.add(running.current());
        for (Operator operator : all) {
            try {
                if (operator.getRuntimeInfo().isStarted()) {
                    operator.stop();
                }
            } catch (RuntimeException e) {
                LOG.debugf("operator stop: %s", e.toString());
            }
        }
    }
}
