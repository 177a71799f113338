package io.shopdb.operator;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.shopdb.operator.runtime.RunningOperator;
import jakarta.inject.Inject;

/** The operator's main job: start the controllers and serve until stopped. */
public class OperatorApplication implements QuarkusApplication {
    @Inject RunningOperator operator;

    @Override
    public int run(String... args) {
        operator.ensureStarted();
        Quarkus.waitForExit();
        return 0;
    }
}
