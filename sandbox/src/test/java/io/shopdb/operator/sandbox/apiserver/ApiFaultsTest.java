package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.sandbox.apiserver.ApiFaults.Fault;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox API server's fault layer answers as kube-apiserver does when it struggles (Status bodies, codes,
 * Retry-After), is reproducible from its seed, spares the sandbox's own clients, and ends watches so that
 * fabric8's informers watch again; and what fabric8's client does with each answer, which the operator relies on.
 */
class ApiFaultsTest {
    private static final String ME = "faults-test";
    private static EmbeddedApiServer api;
    private static KubernetesClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        api = EmbeddedApiServer.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url()).withNamespace("default")
                .withUserAgent(ME).withRequestRetryBackoffInterval(10).build()).build();
    }

    @AfterEach
    void off() {
        api.faults().stop();
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    private static HttpResponse<String> send(String method, String path, String body, String agent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url() + path)).header("User-Agent", agent)
                .header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(HttpResponse<String> r) throws Exception {
        JsonNode s = Serialization.jsonMapper().readTree(r.body());
        assertEquals("Status", s.path("kind").asText(), r.body());
        assertEquals("Failure", s.path("status").asText());
        assertEquals(r.statusCode(), s.path("code").asInt());
        return s;
    }

    @Test
    void eachFaultIsAnsweredLikeKubeApiserver() throws Exception {
        client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("answers").endMetadata().build()).create();
        String path = "/api/v1/namespaces/default/configmaps/answers";

        api.faults().start(ApiFaults.plan(1).inject(Fault.TOO_MANY_REQUESTS, 1.0));
        HttpResponse<String> busy = send("GET", path, null, ME);
        assertEquals(429, busy.statusCode());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null), "API Priority and Fairness names a wait");
        assertEquals("TooManyRequests", status(busy).path("reason").asText());
        assertEquals(1, status(busy).path("details").path("retryAfterSeconds").asInt());

        api.faults().start(ApiFaults.plan(1).inject(Fault.INTERNAL_ERROR, 1.0));
        HttpResponse<String> broken = send("GET", path, null, ME);
        assertEquals(500, broken.statusCode());
        assertEquals("InternalError", status(broken).path("reason").asText());

        // a conflict is a stale resourceVersion: only writes to an existing object get one, never a create or a read
        api.faults().start(ApiFaults.plan(1).inject(Fault.CONFLICT, 1.0));
        assertEquals(200, send("GET", path, null, ME).statusCode());
        HttpResponse<String> stale = send("PATCH", path, "{\"data\":{\"a\":\"1\"}}", ME);
        assertEquals(409, stale.statusCode());
        JsonNode conflict = status(stale);
        assertEquals("Conflict", conflict.path("reason").asText());
        assertTrue(conflict.path("message").asText().contains("the object has been modified"), conflict.toString());
        Map<String, String> data = client.configMaps().withName("answers").get().getData();
        assertTrue(data == null || !data.containsKey("a"), "a refused write is not applied: " + data);
        assertEquals(201, send("POST", "/api/v1/namespaces/default/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"created\"}}", ME).statusCode());

        // a timeout after the write: the client hears 504, the object is there all the same
        api.faults().start(ApiFaults.plan(1).inject(Fault.TIMEOUT_AFTER_WRITE, 1.0));
        HttpResponse<String> lost = send("POST", "/api/v1/namespaces/default/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"}}", ME);
        assertEquals(504, lost.statusCode());
        assertEquals("Timeout", status(lost).path("reason").asText());
        api.faults().stop();
        assertNotNull(client.configMaps().withName("applied").get(), "the write happened before the answer was lost");

        // the sandbox's own components (kubelet, Job controller) are never touched
        api.faults().start(ApiFaults.plan(1).inject(Fault.INTERNAL_ERROR, 1.0));
        assertEquals(200, send("GET", path, null, EmbeddedApiServer.SANDBOX_USER_AGENT).statusCode());
        assertEquals(500, send("GET", path, null, ME).statusCode());
    }

    @Test
    void rulesAreScopedByVerbAndResourceAndClient() throws Exception {
        client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("scoped").endMetadata().build()).create();
        api.faults().start(ApiFaults.plan(1).inject(Fault.INTERNAL_ERROR, 1.0, Set.of("list"), Set.of("secrets")));
        assertEquals(500, send("GET", "/api/v1/namespaces/default/secrets", null, ME).statusCode());
        assertEquals(200, send("GET", "/api/v1/namespaces/default/configmaps", null, ME).statusCode());
        assertEquals(200, send("GET", "/api/v1/namespaces/default/configmaps/scoped", null, ME).statusCode());
        api.faults().start(ApiFaults.plan(1).inject(Fault.INTERNAL_ERROR, 1.0).clients(agent -> agent.startsWith("operator")));
        assertEquals(200, send("GET", "/api/v1/namespaces/default/configmaps", null, ME).statusCode());
        assertEquals(500, send("GET", "/api/v1/namespaces/default/configmaps", null, "operator/1").statusCode());
    }

    @Test
    void aSeedReplaysTheSameDecisionsAtTheAskedShare() {
        List<Fault> first = decisions(42);
        assertEquals(first, decisions(42));
        assertTrue(!first.equals(decisions(43)), "another seed, another sequence");
        long conflicts = first.stream().filter(f -> f == Fault.CONFLICT).count();
        long busy = first.stream().filter(f -> f == Fault.TOO_MANY_REQUESTS).count();
        // 10,000 patches at 10% each: the binomial's 5 standard deviations are 150
        assertTrue(Math.abs(conflicts - 1000) < 150, "conflicts " + conflicts);
        assertTrue(Math.abs(busy - 1000) < 150, "429s " + busy);
    }

    private static List<Fault> decisions(long seed) {
        ApiFaults faults = new ApiFaults(EmbeddedApiServer.SANDBOX_USER_AGENT);
        faults.start(ApiFaults.plan(seed).inject(Fault.CONFLICT, 0.1).inject(Fault.TOO_MANY_REQUESTS, 0.1));
        List<Fault> out = new ArrayList<>();
        ApiRequests.Request patch = ApiRequests.classify("PATCH", "/api/v1/namespaces/default/secrets/s", ME);
        for (int i = 0; i < 10_000; i++) {
            out.add(faults.decide(patch));
        }
        faults.stop();
        return out;
    }

    @Test
    void fabric8RetriesTooManyRequestsAndServerErrorsButHandsConflictsToTheCaller() {
        client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("retried").endMetadata().build()).create();
        // 429 and 5xx: the client retries (Retry-After honoured) up to its backoff limit (10), so half of the answers failing
        // still ends in a success for the caller
        api.faults().start(ApiFaults.plan(7).inject(Fault.INTERNAL_ERROR, 0.3).inject(Fault.TOO_MANY_REQUESTS, 0.2)
                .delay(Duration.ofMillis(1)));
        for (int i = 0; i < 10; i++) {
            assertNotNull(client.configMaps().withName("retried").get());
        }
        assertTrue(api.faults().injected().getOrDefault("INTERNAL_ERROR", 0L) > 0, api.faults().injected().toString());
        // 409 is the caller's to handle: a controller re-reads and tries again
        api.faults().start(ApiFaults.plan(7).inject(Fault.CONFLICT, 1.0));
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("retried").edit(c -> new ConfigMapBuilder(c).addToData("k", "v").build()));
        assertEquals(409, e.getCode());
    }

    @Test
    void aDroppedWatchIsWatchedAgainByAnInformerWhichMissesNothing() {
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().withLabel("watched", "yes").inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap obj) {
                seen.add(obj.getMetadata().getName());
            }

            @Override
            public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
            }

            @Override
            public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
            }
        });
        try {
            client.configMaps().resource(cm("before")).create();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("before"));
            long watchesBefore = watchRequests();
            assertEquals(1, api.faults().dropWatches(), "the informer's one watch");
            assertEquals(1L, api.faults().injected().get("WATCH_DROP"));
            // created once, whatever the client does: a POST on a connection the watch drop closed may be retried by
            // fabric8 after the server took it (then 409 AlreadyExists); the test is about the informer
            client.configMaps().resource(cm("after")).createOr(existing -> existing.update());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("after"));
            assertTrue(watchRequests() > watchesBefore, "the informer opened a new watch");
            assertEquals(Map.of("before", 1L, "after", 1L), seen.stream().collect(java.util.stream.Collectors.groupingBy(s -> s,
                    java.util.stream.Collectors.counting())), "each object added once: the re-watch's events are updates");
        } finally {
            informer.close();
        }
    }

    private static ConfigMap cm(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("watched", "yes").endMetadata().build();
    }

    private static long watchRequests() {
        return api.requests().snapshot().getOrDefault(ME + " watch", 0L);
    }
}
