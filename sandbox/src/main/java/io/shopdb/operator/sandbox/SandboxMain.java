package io.shopdb.operator.sandbox;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the sandbox application: {@code sandbox [--once] [--timeout 180s] DIR} first starts the in-process
 * API server, then the same operator against it, plus the local runner (see README). {@code agent ...} is the
 * backup agent, as in the image, because the sandbox's Jobs run this jar.
 */
@QuarkusMain(name = "sandbox")
public final class SandboxMain {
    /** Held so the level set on it is not lost when the logger is collected. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private SandboxMain() {}

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("agent")) {
            io.shopdb.operator.agent.AgentMain.main(args); // exits with the agent's code
        }
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING); // one line per request otherwise
        HttpPort.chooseForSandbox(System.out);
        EmbeddedApiServer api = EmbeddedApiServer.start();
        // Set before Quarkus starts, so the injected client (and the operator) talk to the embedded API.
        // fabric8's own settings (read when the client is built): the embedded API, never a kubeconfig.
        System.setProperty("kubernetes.master", api.url());
        System.setProperty("kubernetes.namespace", "default");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        try {
            Quarkus.run(SandboxCommand.class, (code, failure) -> {
                api.close();
                if (failure != null) {
                    failure.printStackTrace();
                }
                System.exit(code);
            }, args);
        } finally {
            api.close();
        }
    }
}
