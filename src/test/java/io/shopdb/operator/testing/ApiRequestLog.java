package io.shopdb.operator.testing;

import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.shopdb.operator.sandbox.ApiRequests;
import io.shopdb.operator.sandbox.EmbeddedApiServer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The requests the test API server received, classified by verb (see {@link ApiRequests}), without the
 * sandbox runner's own calls (it plays kubelet and kube-controller-manager, which are not the operator).
 * The test's own calls are there too: a test counts the verbs and resources the operator would use.
 */
public final class ApiRequestLog {
    private final KubernetesServer server;

    public ApiRequestLog(KubernetesServer server) {
        this.server = server;
    }

    /** Forgets what came before. */
    public ApiRequestLog reset() throws InterruptedException {
        while (server.getKubernetesMockServer().takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // drained
        }
        return this;
    }

    /** What arrived since the last reset or read (each request is read once). */
    public List<ApiRequests.Request> read() throws InterruptedException {
        List<ApiRequests.Request> out = new ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            var request = ApiRequests.classify(r.getMethod(), r.getPath(), r.getHeader("User-Agent"));
            if (!EmbeddedApiServer.SANDBOX_USER_AGENT.equals(request.userAgent())) {
                out.add(request);
            }
        }
        return out;
    }
}
