package io.shopdb.operator;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the image. Without arguments it is the operator (talking to the cluster of the kubeconfig or the
 * in-cluster service account). {@code agent ...} is the backup/restore agent that Jobs and sidecars run. The
 * sandbox (the embedded API server and local runner) is a module of its own with its own entry point.
 */
@QuarkusMain
public final class ShopdbMain {
    private ShopdbMain() {}

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("agent")) {
            // What backup/restore Jobs run: plain Java, no Quarkus boot, the exit code is the result.
            io.shopdb.operator.agent.AgentMain.main(args); // exits with the agent's code
        }
        Quarkus.run(OperatorApplication.class, args);
    }
}
