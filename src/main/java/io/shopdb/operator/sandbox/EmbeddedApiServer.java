package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;

/**
 * The in-process Kubernetes API of the sandbox: fabric8's CRUD mock server on a loopback port. It stores,
 * lists, watches and patches objects like an API server, but does not validate against CRD schemas (the
 * sandbox does that itself before applying) and runs no controllers (the local runner does).
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** CRD files bundled into the jar from crds/ at build time. */
    public static final List<String> CRD_RESOURCES = List.of("postgresclusters", "postgresdatabases", "postgresroles",
            "postgresmigrations", "postgresbackups", "postgresbackupschedules", "postgresrestores");

    /** The User-Agent of the sandbox's own components (runner, kubelet), to tell their calls from the operator's. */
    public static final String SANDBOX_USER_AGENT = "shopdb-sandbox";

    private final KubernetesMockServer server;
    private final String url;
    private final ApiRequests requests = new ApiRequests();
    private final Thread counter;

    private EmbeddedApiServer(KubernetesMockServer server, String url) {
        this.server = server;
        this.url = url;
        // The mock server keeps every request in a queue: take them off (bounded memory in a long sandbox
        // session) and count them by client and verb.
        this.counter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    var r = server.takeRequest();
                    requests.record(ApiRequests.classify(r.getMethod(), r.getPath(), r.getHeader("User-Agent")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "embedded-api-request-counter");
        counter.setDaemon(true);
        counter.start();
    }

    /** Requests received so far, by client and verb. */
    public ApiRequests requests() {
        return requests;
    }

    public static EmbeddedApiServer start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        EmbeddedApiServer api = new EmbeddedApiServer(server, "http://127.0.0.1:" + port);
        try (KubernetesClient client = api.client()) {
            for (String plural : CRD_RESOURCES) {
                client.resource(loadCrd(plural)).create();
            }
        }
        return api;
    }

    public static CustomResourceDefinition loadCrd(String plural) throws Exception {
        String path = "/META-INF/shopdb/crds/" + plural + ".shopdb.io-v1.yml";
        try (InputStream in = EmbeddedApiServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("CRD " + path + " is not bundled; rebuild with mvn package");
            }
            return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    public String url() {
        return url;
    }

    public KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl(url).withNamespace("default").withTrustCerts(true).build()).build();
    }

    @Override
    public void close() {
        counter.interrupt();
        server.destroy();
    }
}
