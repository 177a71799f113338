package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What kubectl reads from kube-apiserver besides objects, served by the sandbox: legacy discovery with short
 * names and categories, server-side Table output from the CRDs' printer columns, field selectors on any field,
 * streamed HTTP watches and Status bodies. (KubectlSandboxOperatorTest drives the real binary.)
 */
class ApiServerKubectlSurfaceTest {
    private static EmbeddedApiServer api;
    private static KubernetesClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        api = EmbeddedApiServer.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    private static HttpResponse<String> get(String path, String accept) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path)).header("Accept", accept).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path, "application/json");
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return Serialization.jsonMapper().readTree(r.body());
    }

    @Test
    void discoveryListsGroupsResourcesShortNamesAndVerbs() throws Exception {
        assertEquals("v1", json("/api").path("versions").get(0).asText());
        List<String> groups = new ArrayList<>();
        json("/apis").path("groups").forEach(g -> groups.add(g.path("name").asText()));
        assertTrue(groups.containsAll(List.of("apps", "batch", "policy", "coordination.k8s.io", "shopdb.io")), groups.toString());
        JsonNode pgc = find(json("/apis/shopdb.io/v1alpha1"), "postgresclusters");
        assertEquals("PostgresCluster", pgc.path("kind").asText());
        assertTrue(pgc.path("namespaced").asBoolean());
        assertEquals("pgc", pgc.path("shortNames").get(0).asText());
        assertTrue(pgc.path("verbs").toString().contains("watch"));
        assertEquals("sts", find(json("/apis/apps/v1"), "statefulsets").path("shortNames").get(0).asText());
        assertEquals("all", find(json("/api/v1"), "pods").path("categories").get(0).asText());
        assertTrue(json("/version").path("gitVersion").asText().startsWith("v1.32"));
    }

    @Test
    void categoriesDeclaredByACrdAreServed() throws Exception {
        var crd = EmbeddedApiServer.loadCrd("postgresdatabases");
        crd.getSpec().getNames().setCategories(List.of("shopdb"));
        client.resource(crd).update();
        assertEquals("shopdb", find(json("/apis/shopdb.io/v1alpha1"), "postgresdatabases").path("categories").get(0).asText());
    }

    @Test
    void tableOutputHasNameThenTheCrdPrinterColumnsWithPriorities() throws Exception {
        client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: table-db}
                spec: {instances: 2, storage: {size: 3Gi}}
                """, GenericKubernetesResource.class)).create();
        client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresCluster").withName("table-db").editStatus(r -> {
            r.setAdditionalProperty("status", Map.of("conditions", List.of(
                    Map.of("type", "Reconciling", "status", "False", "reason", "Ready"),
                    Map.of("type", "Ready", "status", "True", "reason", "AllGood"))));
            return r;
        });
        HttpResponse<String> r = get("/apis/shopdb.io/v1alpha1/namespaces/default/postgresclusters",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        JsonNode table = Serialization.jsonMapper().readTree(r.body());
        assertEquals("Table", table.path("kind").asText());
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        List<String> expected = new ArrayList<>(List.of("Name"));
        var declared = EmbeddedApiServer.loadCrd("postgresclusters").getSpec().getVersions().get(0).getAdditionalPrinterColumns();
        declared.forEach(c -> expected.add(c.getName()));
        assertEquals(expected, columns);
        JsonNode row = table.path("rows").get(0);
        assertEquals("table-db", row.path("cells").get(0).asText());
        for (int i = 0; i < declared.size(); i++) {
            var column = declared.get(i);
            JsonNode cell = row.path("cells").get(i + 1);
            assertEquals(column.getPriority() == null ? 0 : column.getPriority(), table.path("columnDefinitions").get(i + 1).path("priority").asInt());
            switch (column.getJsonPath()) {
                case ".status.conditions[?(@.type==\"Ready\")].status" -> assertEquals("True", cell.asText(), "a JSONPath filter picks the Ready condition");
                case ".status.conditions[?(@.type==\"Ready\")].reason" -> assertEquals("AllGood", cell.asText());
                case ".spec.storage.size" -> assertEquals("3Gi", cell.asText());
                case ".metadata.creationTimestamp" -> assertTrue(cell.asText().matches("[0-9]+s"), cell.asText());
                default -> { }
            }
        }
        assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
    }

    @Test
    void tableOutputOfBuiltInKindsShowsNameAndAge() throws Exception {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("table-cm").endMetadata().build()).create();
        JsonNode table = Serialization.jsonMapper().readTree(get("/api/v1/namespaces/default/configmaps/table-cm",
                "application/json;as=Table;v=v1;g=meta.k8s.io").body());
        assertEquals("Name", table.path("columnDefinitions").get(0).path("name").asText());
        assertEquals("Age", table.path("columnDefinitions").get(1).path("name").asText());
        assertTrue(table.path("rows").get(0).path("cells").get(1).asText().matches("[0-9]+s"));
    }

    @Test
    void fieldSelectorsMatchAnyFieldAsKubectlDescribeUsesThemForEvents() throws Exception {
        for (String object : List.of("one", "two")) {
            client.resource(new EventBuilder().withNewMetadata().withName("ev-" + object).endMetadata()
                    .withNewInvolvedObject().withKind("PostgresCluster").withName(object).withNamespace("default").endInvolvedObject()
                    .withReason("Created").build()).create();
        }
        JsonNode list = json("/api/v1/namespaces/default/events?fieldSelector=" + java.net.URLEncoder.encode(
                "involvedObject.name=two,involvedObject.kind=PostgresCluster", StandardCharsets.UTF_8));
        assertEquals(1, list.path("items").size());
        assertEquals("ev-two", list.path("items").get(0).path("metadata").path("name").asText());
        assertEquals("EventList", list.path("kind").asText());
    }

    @Test
    void eventsWrittenThroughEventsK8sIoAreListedAsCoreEventsAsInOneStore() throws Exception {
        client.resource(new io.fabric8.kubernetes.api.model.events.v1.EventBuilder().withNewMetadata().withName("db.1234").endMetadata()
                .withNewRegarding().withApiVersion("shopdb.io/v1alpha1").withKind("PostgresCluster").withName("viewed-db")
                .withNamespace("default").withUid("u-1").endRegarding()
                .withReason("Ready").withNote("1 instance(s) ready").withType("Normal").withAction("Reconcile")
                .withReportingController("shopdb.io/operator").withReportingInstance("op-0")
                .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-12-01T06:00:00.000000Z")).build()).create();
        JsonNode list = json("/api/v1/namespaces/default/events?fieldSelector=" + java.net.URLEncoder.encode(
                "involvedObject.name=viewed-db,involvedObject.uid=u-1", StandardCharsets.UTF_8));
        assertEquals(1, list.path("items").size(), list.toString());
        JsonNode core = list.path("items").get(0);
        assertEquals("1 instance(s) ready", core.path("message").asText());
        assertEquals("PostgresCluster", core.path("involvedObject").path("kind").asText());
        assertEquals("shopdb.io/operator", core.path("source").path("component").asText());
    }

    @Test
    void watchesAreStreamedOverPlainHttpAsKubectlReadsThem() throws Exception {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("watched").endMetadata().build()).create();
        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(api.url()
                        + "/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=30")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode added = Serialization.jsonMapper().readTree(lines.readLine());
            assertEquals("ADDED", added.path("type").asText());
            assertEquals("watched", added.path("object").path("metadata").path("name").asText());
            client.configMaps().withName("watched").edit(c -> new ConfigMapBuilder(c).addToData(Map.of("k", "v")).build());
            JsonNode modified = Serialization.jsonMapper().readTree(lines.readLine());
            assertEquals("MODIFIED", modified.path("type").asText());
            assertEquals("v", modified.path("object").path("data").path("k").asText());
        }
    }

    /**
     * kubectl delete --wait lists the object, then watches from the list's resourceVersion: a deletion between the
     * two must still reach the watch, else kubectl waits its whole timeout for an object that is gone.
     */
    @Test
    void aWatchFromAResourceVersionHearsOfADeletionBeforeItStarted() throws Exception {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("gone-early").endMetadata().build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("stays").endMetadata().build()).create();
        JsonNode list = json("/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dgone-early");
        String listed = list.path("metadata").path("resourceVersion").asText();
        assertTrue(listed.matches("[1-9][0-9]*"), "the list has a resourceVersion: " + list);
        assertEquals(1, list.path("items").size());
        client.configMaps().withName("gone-early").delete();
        client.configMaps().withName("stays").delete();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("stays").endMetadata().build()).create();

        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(api.url()
                        + "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + listed + "&timeoutSeconds=3")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode event = Serialization.jsonMapper().readTree(line);
                events.add(event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText());
                if (event.path("type").asText().equals("DELETED")) {
                    assertTrue(Long.parseLong(event.path("object").path("metadata").path("resourceVersion").asText()) > Long.parseLong(listed),
                            "a deletion has a resourceVersion after the list: " + line);
                }
            }
        }
        assertTrue(events.contains("DELETED gone-early"), events.toString());
        // recreated since: its ADDED speaks for it, a DELETED after that would make clients forget an object that exists
        assertTrue(events.contains("ADDED stays") && !events.contains("DELETED stays"), events.toString());

        HttpResponse<java.io.InputStream> fromNow = HTTP.send(HttpRequest.newBuilder(URI.create(api.url()
                        + "/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dgone-early&timeoutSeconds=1")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(fromNow.body(), StandardCharsets.UTF_8))) {
            assertEquals(null, lines.readLine(), "a watch without a resourceVersion starts from now");
        }
    }

    @Test
    void missingObjectsAnswerAStatusNotFound() throws Exception {
        HttpResponse<String> r = get("/apis/shopdb.io/v1alpha1/namespaces/default/postgresclusters/nope", "application/json");
        assertEquals(404, r.statusCode());
        JsonNode status = Serialization.jsonMapper().readTree(r.body());
        assertEquals("Status", status.path("kind").asText());
        assertEquals("NotFound", status.path("reason").asText());
        assertEquals("postgresclusters.shopdb.io \"nope\" not found", status.path("message").asText());
    }

    private static JsonNode find(JsonNode resourceList, String name) {
        for (JsonNode r : resourceList.path("resources")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError(name + " not in " + resourceList);
    }
}
