package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.shopdb.operator.sandbox.apiserver.ApiFaults;
import io.shopdb.operator.sandbox.apiserver.ApiHttpServer;
import io.shopdb.operator.sandbox.apiserver.ApiRequests;
import io.shopdb.operator.sandbox.apiserver.ApiServerDispatcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The in-process Kubernetes API of the sandbox and of the operator tests, on a loopback port: fabric8's
 * CRUD storage behind {@link ApiServerDispatcher}, which makes it follow kube-apiserver's rules (stringData,
 * status subresources, conflicts, finalizers, garbage collection, CRD defaults and validation) and serve
 * discovery and Table output, so kubectl works against it through {@link #writeKubeconfig}. It runs no
 * controllers and no kubelet: the local runner does.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** CRD files bundled into the jar from crds/ at build time. */
    public static final List<String> CRD_RESOURCES = List.of("postgresclusters", "postgresdatabases", "postgresroles",
            "postgresmigrations", "postgresbackups", "postgresbackupschedules", "postgresrestores", "postgrespoolers", "postgresmajorupgrades",
            "postgresimagecatalogs");

    /** The User-Agent of the sandbox's own components (runner, kubelet), to tell their calls from the operator's. */
    public static final String SANDBOX_USER_AGENT = "shopdb-sandbox";

    private final ApiHttpServer http;
    private final ApiServerDispatcher dispatcher;
    private final String url;
    private EmbeddedApiServer(ApiHttpServer http, ApiServerDispatcher dispatcher, String url) {
        this.http = http;
        this.dispatcher = dispatcher;
        this.url = url;
    }

    /** Starts on a free port with the bundled CRDs and the namespace {@code default}. */
    public static EmbeddedApiServer start() throws Exception {
        return start(0);
    }

    public static EmbeddedApiServer start(int port) throws Exception {
        ApiServerDispatcher dispatcher = new ApiServerDispatcher(SANDBOX_USER_AGENT);
        ApiHttpServer http = new ApiHttpServer(dispatcher);
        int actual = http.start(InetAddress.getLoopbackAddress(), port);
        EmbeddedApiServer api = new EmbeddedApiServer(http, dispatcher, "http://127.0.0.1:" + actual);
        try (KubernetesClient client = api.client()) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
            for (String plural : CRD_RESOURCES) {
                client.resource(loadCrd(plural)).create();
            }
        } catch (RuntimeException e) {
            api.close();
            throw e;
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

    /** The requests received so far, by client and verb, and the last ones in order. */
    /** See {@link ApiServerDispatcher#beforeNextStatusWrite}: {@code action} runs once before the next status write of the object. */
    public void beforeNextStatusWrite(io.fabric8.kubernetes.api.model.HasMetadata object, Runnable action) {
        String apiVersion = object.getApiVersion();
        String plural = io.fabric8.kubernetes.api.model.HasMetadata.getPlural(object.getClass());
        String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        dispatcher.beforeNextStatusWrite(prefix + "/namespaces/" + object.getMetadata().getNamespace() + "/" + plural
                + "/" + object.getMetadata().getName(), action);
    }

    public ApiRequests requests() {
        return dispatcher.requests();
    }

    /** The fault layer: off until a test (or the sandbox's flag) starts a plan. */
    public ApiFaults faults() {
        return dispatcher.faults();
    }

    public KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl(url).withNamespace("default").withTrustCerts(true).build()).build();
    }

    /** Writes a kubeconfig for this server; see {@link #writeKubeconfig(Path, String, String)}. */
    public Path writeKubeconfig(Path file, String namespace) throws IOException {
        return writeKubeconfig(file, url, namespace);
    }

    /**
     * Writes a kubeconfig for kubectl (context {@code shopdb-sandbox}, plain HTTP on loopback, no credentials),
     * readable by its owner only.
     */
    public static Path writeKubeconfig(Path file, String serverUrl, String namespace) throws IOException {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: shopdb-sandbox
                  cluster:
                    server: %s
                users:
                - name: shopdb-sandbox
                  user: {}
                contexts:
                - name: shopdb-sandbox
                  context:
                    cluster: shopdb-sandbox
                    user: shopdb-sandbox
                    namespace: %s
                current-context: shopdb-sandbox
                """.formatted(serverUrl.replaceAll("/+$", ""), namespace);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Override
    public void close() {
        dispatcher.faults().stop();
        http.close();
        dispatcher.close();
    }
}
