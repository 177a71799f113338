package io.shopdb.operator.testing;

import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.sandbox.apiserver.ApiRequests;

import java.util.ArrayList;
import java.util.List;

/**
 * The requests the test API server received, classified by verb (see {@link ApiRequests}), without the
 * sandbox runner's own calls (it plays kubelet and kube-controller-manager, which are not the operator).
 * The test's own calls are there too: a test counts the verbs and resources the operator would use.
 */
public final class ApiRequestLog {
    private final EmbeddedApiServer api;
    private long mark;

    public ApiRequestLog(EmbeddedApiServer api) {
        this.api = api;
    }

    /** Forgets what came before. */
    public ApiRequestLog reset() {
        mark = api.requests().mark();
        return this;
    }

    /** What arrived since the last reset or read (each request is read once). */
    public List<ApiRequests.Request> read() {
        List<ApiRequests.Request> out = new ArrayList<>();
        for (ApiRequests.Logged logged : api.requests().since(mark)) {
            mark = logged.seq();
            if (!EmbeddedApiServer.SANDBOX_USER_AGENT.equals(logged.request().userAgent())) {
                out.add(logged.request());
            }
        }
        return out;
    }
}
