package io.shopdb.operator;

import io.javaoperatorsdk.operator.Operator;
import io.shopdb.operator.runtime.RunningOperator;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;


/**
 * Stops the operator when the application stops. We start it ourselves ({@link OperatorApplication}), so
 * the extension's listener does not stop it; without this, a restarted application (tests boot Quarkus more
 * than once) would leave the old controllers running. (Instances the sandbox's restart harness starts beside it
 * are stopped by the harness.)
 */
@ApplicationScoped
public class OperatorShutdown {
    private static final Logger LOG = Logger.getLogger(OperatorShutdown.class);

    @Inject RunningOperator running;

    void onStop(@Observes ShutdownEvent event) {
        stop(running.current());
    }

    /** Stops one operator instance if it runs; a failure to stop is not worth failing a shutdown over. */
    public static void stop(Operator operator) {
        try {
            if (operator.getRuntimeInfo().isStarted()) {
                operator.stop();
            }
        } catch (RuntimeException e) {
            LOG.debugf("operator stop: %s", e.toString());
        }
    }
}
