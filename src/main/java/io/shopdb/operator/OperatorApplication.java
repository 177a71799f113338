package io.shopdb.operator;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;

/** The operator's main job: start the controllers and serve until stopped. */
public class OperatorApplication implements QuarkusApplication {
    @Inject Operator operator;

    @Override
    public int run(String... args) {
        ensureStarted(operator);
        Quarkus.waitForExit();
        return 0;
    }

    /**
     * With our own @QuarkusMain the extension's start-up listener does not start the operator, so the
     * application does, once (tests start it through the extension and this is then a no-op).
     */
    public static void ensureStarted(Operator operator) {
        if (!operator.getRuntimeInfo().isStarted()) {
            operator.start();
        }
    }
}
