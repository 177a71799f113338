package io.shopdb.operator.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.shopdb.operator.sandbox.EmbeddedApiServer;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Runs the operator tests against the sandbox's own API server (the one users get from {@code sandbox}),
 * which follows kube-apiserver's rules, instead of fabric8's CRUD mock. Inject it into a test field with
 * {@link ApiServer} (e.g. to read its request counts).
 */
public class EmbeddedApiServerResource implements QuarkusTestResourceLifecycleManager {
    /** Marks an {@link EmbeddedApiServer} field of a test to receive the running server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface ApiServer {
    }

    private EmbeddedApiServer api;

    @Override
    public Map<String, String> start() {
        try {
            api = EmbeddedApiServer.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the sandbox API server", e);
        }
        // fabric8's own settings, read when a client is built: this server, never a kubeconfig
        System.setProperty("kubernetes.master", api.url());
        System.setProperty("kubernetes.namespace", "test");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        return Map.of("quarkus.kubernetes-client.api-server-url", api.url(),
                "quarkus.kubernetes-client.namespace", "test");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(api, new TestInjector.AnnotatedAndMatchesType(ApiServer.class, EmbeddedApiServer.class));
    }

    @Override
    public void stop() {
        if (api != null) {
            api.close();
        }
    }
}
