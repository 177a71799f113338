package io.shopdb.operator;

import io.javaoperatorsdk.operator.Operator;
import io.shopdb.operator.ops.RunningOperator;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Stops the operator when the application stops. We start it ourselves ({@link OperatorApplication}), so
 * the extension's listener does not stop it; without this, a restarted application (tests boot Quarkus more
 * than once) would leave the old controllers running.
 */
@ApplicationScoped
public class OperatorShutdown {
    private static final Logger LOG = Logger.getLogger(OperatorShutdown.class);

    @Inject RunningOperator running;

    void onStop(@Observes ShutdownEvent event) {
        try {
            Operator operator = running.current();
            if (operator.getRuntimeInfo().isStarted()) {
                operator.stop();
            }
        } catch (RuntimeException e) {
            LOG.debugf("operator stop: %s", e.toString());
        }
    }
}
