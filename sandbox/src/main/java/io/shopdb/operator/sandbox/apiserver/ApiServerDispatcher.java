package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sandbox's Kubernetes API: fabric8's CRUD dispatcher (storage, lists, label selectors, websocket
 * watches, finalizer-aware DELETE, generation for spec changes, status subresource of CRDs) wrapped so that
 * it behaves like kube-apiserver where fabric8's does not (see {@link ObjectRules}, {@link Patches},
 * {@link Admission}, {@link GarbageCollector}), and serves what kubectl needs: discovery, OpenAPI v3 stubs,
 * Table output, field selectors and Status bodies. Every write is serialized and turned into a full object
 * before fabric8 stores it, so one set of rules applies to create, update and every patch type.
 */
public final class ApiServerDispatcher extends KubernetesCrudDispatcher implements GarbageCollector.Api {
    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private final ResourceTypes types = new ResourceTypes();
    private final ApiRequests requests = new ApiRequests();
    private final ApiFaults faults;
    private final Admission admission = new Admission(this::storedCrds);
    private final GarbageCollector collector = new GarbageCollector(this);
    private final RecentDeletions deletions = new RecentDeletions();
    private final Object writes = new Object();
    /** One-shot actions run just before the next status write of an object path (test seam, see beforeNextStatusWrite). */
    private final Map<String, Runnable> beforeStatusWrite = new java.util.concurrent.ConcurrentHashMap<>();

    public ApiServerDispatcher() {
        this(null);
    }

    /** @param exemptAgent a User-Agent the fault layer never touches (the sandbox's own components) */
    public ApiServerDispatcher(String exemptAgent) {
        super(List.of());
        this.faults = new ApiFaults(exemptAgent);
    }

    public ApiRequests requests() {
        return requests;
    }

    /**
     * Runs {@code action} once, just before the next status write of the object at {@code objectPath} is stored,
     * outside the write lock so the action may call this server itself. It puts a change between a controller's
     * read and its status write, a race that real clusters hit and tests otherwise cannot aim at (a deletion landing
     * while a reconcile writes status: DependentsOperatorTest).
     */
    public void beforeNextStatusWrite(String objectPath, Runnable action) {
        beforeStatusWrite.put(objectPath, action);
    }

    /** The fault layer (off until a plan is started). */
    public ApiFaults faults() {
        return faults;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody() == null ? "" : request.getBody().readUtf8();
        ApiRequests.Request classified = requests.record(request.getMethod(), request.getPath(), request.getHeader("User-Agent"));
        ApiFaults.Fault fault = faults.decide(classified);
        ApiPath api = fault == null ? null : ApiPath.parse(request.getPath());
        if (fault == ApiFaults.Fault.DELAY) {
            faults.delay();
        } else if (fault != null && api != null && fault != ApiFaults.Fault.TIMEOUT_AFTER_WRITE) {
            return ApiFaults.answer(fault, api); // refused before anything is applied
        }
        MockResponse response;
        try {
            response = route(request, body);
        } catch (ApiException e) {
            response = e.response();
        }
        // applied, but the client never hears so: it will retry a write that already happened
        return fault == ApiFaults.Fault.TIMEOUT_AFTER_WRITE && api != null ? ApiFaults.answer(fault, api) : response;
    }

    private MockResponse route(RecordedRequest request, String body) {
        String path = request.getPath();
        ApiPath api = ApiPath.parse(path);
        if (request.method() == HttpMethod.GET && api == null) {
            String bare = ApiPath.bare(path);
            Optional<ObjectNode> document = Discovery.answer(bare, types.all());
            if (document.isPresent()) {
                return Responses.json(200, document.get());
            }
            if (bare.startsWith("/openapi/v3")) {
                return OpenApiV3.answer(bare, types.all()).map(d -> Responses.json(200, d))
                        .orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
            }
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (api == null) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (AccessReviews.handles(api)) {
            return AccessReviews.answer(request.method(), api, body);
        }
        boolean strict = "Strict".equals(api.query().get("fieldValidation"));
        if (api.query().containsKey("dryRun") && request.method() != HttpMethod.GET) {
            return dryRun(api, request, body, strict);
        }
        return switch (request.method()) {
            case GET -> api.isWatch() ? watch(api) : read(api, request.getHeader("Accept"));
            case POST -> create(api, Responses.readObject(body), strict);
            case PUT -> update(api, body, null, strict);
            case PATCH -> update(api, body, request.getHeader("Content-Type"), strict);
            case DELETE -> delete(api, body);
            default -> throw new ApiException(405, "MethodNotAllowed", request.getMethod() + " is not supported");
        };
    }

    /** {@code ?dryRun=All}: every rule applied, the answer what would be stored, nothing stored. */
    private MockResponse dryRun(ApiPath api, RecordedRequest request, String body, boolean strict) {
        ResourceType type = types.byPath(api).orElse(null);
        boolean custom = type != null && types.isCustom(type);
        synchronized (writes) {
            if (request.method() == HttpMethod.POST) {
                ObjectNode object = Responses.readObject(body);
                ObjectRules.onCreate(type, object);
                return Responses.json(201, custom ? admission.admit(object, null, strict) : object);
            }
            JsonNode current = api.name() == null ? null : current(api.objectPath());
            if (current == null) {
                throw ApiException.notFound(api);
            }
            if (request.method() == HttpMethod.DELETE) {
                return Responses.json(200, current);
            }
            ObjectNode desired = request.method() == HttpMethod.PATCH ? Patches.apply(current, body, request.getHeader("Content-Type")) : Responses.readObject(body);
            ObjectNode next = ObjectRules.onUpdate(api, type, current, desired);
            PvcResize.check(api, current, next, this::current);
            return Responses.json(200, custom && !api.isStatus() ? admission.admit(next, current, strict) : next);
        }
    }

    /** fabric8 reads a watched name from an undecoded query; hand it the decoded one. */
    /**
     * A watch. One that starts from a resourceVersion also hears of the deletions since then (fabric8's store keeps
     * no history, see {@link RecentDeletions}).
     */
    private MockResponse watch(ApiPath api) {
        String path = watchPath(api);
        MockResponse response = super.handleGet(path);
        String since = api.query().get("resourceVersion");
        if (response.getWebSocketListener() == null || since == null || !since.matches("[1-9][0-9]*")) {
            return response;
        }
        AttributeSet watched = getKey(path); // kind, namespace, labels
        FieldSelector fields = FieldSelector.parse(api.query().get("fieldSelector"));
        return response.withWebSocketUpgrade(RecentDeletions.replaying(response.getWebSocketListener(),
                () -> deletions.since(Long.parseLong(since), d -> d.attributes().matches(watched)
                        && fields.matches(Responses.read(d.object()))
                        && map.keySet().stream().noneMatch(k -> RecentDeletions.sameObject(k, d.attributes())))));
    }

    private static String watchPath(ApiPath api) {
        String query = api.query().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
        return api.objectPath() + "?" + query.replace("watch=1", "watch=true");
    }

    private MockResponse read(ApiPath api, String accept) {
        String selector = api.query().get("labelSelector");
        String path = api.objectPath() + (api.subresource() == null ? "" : "/" + api.subresource())
                + (selector == null || api.name() != null ? "" : "?labelSelector=" + java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8));
        MockResponse response = super.handleGet(path);
        if (response.code() == 404) {
            throw ApiException.notFound(api);
        }
        JsonNode body = Responses.body(response);
        Optional<ResourceType> type = types.byPath(api);
        List<JsonNode> items = new ArrayList<>();
        if (api.name() == null && body != null && body.has("items")) {
            FieldSelector fields = FieldSelector.parse(api.query().get("fieldSelector"));
            List<JsonNode> all = new ArrayList<>();
            body.get("items").forEach(all::add);
            if (api.group().isEmpty() && api.plural().equals("events")) {
                all.addAll(eventsK8sIo(api.namespace()));
            }
            ArrayNode kept = ((ObjectNode) body).putArray("items");
            for (JsonNode item : all) {
                if (fields.matches(item)) {
                    kept.add(item);
                    items.add(item);
                }
            }
            type.ifPresent(t -> ((ObjectNode) body).put("kind", t.kind() + "List").put("apiVersion", t.apiVersion()));
        } else if (body != null) {
            items.add(body);
        }
        if (type.isPresent() && api.subresource() == null && TableOutput.wanted(accept) && body != null) {
            String version = api.name() == null ? body.path("metadata").path("resourceVersion").asText()
                    : body.path("metadata").path("resourceVersion").asText();
            return Responses.json(200, TableOutput.of(type.get(), items, version, api.query().get("includeObject"), Instant.now()));
        }
        return Responses.json(200, body == null ? Responses.readObject("{}") : body);
    }

    /** The events.k8s.io/v1 Events of a namespace (or all), in their core/v1 view: one store, two APIs. */
    private List<JsonNode> eventsK8sIo(String namespace) {
        JsonNode list = Responses.body(super.handleGet(ApiPath.prefix("events.k8s.io", "v1")
                + (namespace == null ? "" : "/namespaces/" + namespace) + "/events"));
        List<JsonNode> out = new ArrayList<>();
        if (list != null) {
            list.path("items").forEach(e -> out.add(EventViews.toCore(e)));
        }
        return out;
    }

    private MockResponse create(ApiPath api, ObjectNode object, boolean strict) {
        ResourceType type = types.byPath(api).orElse(null);
        synchronized (writes) {
            ObjectRules.onCreate(type, object);
            ObjectNode stored = type != null && types.isCustom(type) ? admission.admit(object, null, strict) : object;
            return store(HttpMethod.POST, api.objectPath(), stored, super::handleCreate);
        }
    }

    private MockResponse update(ApiPath api, String body, String patchType, boolean strict) {
        if (api.name() == null) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
        ResourceType type = types.byPath(api).orElse(null);
        Runnable before = api.isStatus() ? beforeStatusWrite.remove(api.objectPath()) : null;
        if (before != null) {
            before.run();
        }
        synchronized (writes) {
            JsonNode current = current(api.objectPath());
            if (current == null) {
                throw ApiException.notFound(api);
            }
            ObjectNode desired = patchType == null ? Responses.readObject(body) : Patches.apply(current, body, patchType);
            ObjectNode next = ObjectRules.onUpdate(api, type, current, desired);
            PvcResize.check(api, current, next, this::current);
            if (type != null && types.isCustom(type) && !api.isStatus()) {
                next = admission.admit(next, current, strict);
            }
            MockResponse response = store(HttpMethod.PUT, api.objectPath() + (api.isStatus() ? "/status" : ""), next, super::handleUpdate);
            return response.code() == 200 && (response.getBody() == null || response.getBody().size() == 0)
                    ? Responses.json(200, next) // the last finalizer went: fabric8 deleted it and answered without a body
                    : response;
        }
    }

    private MockResponse delete(ApiPath api, String body) {
        synchronized (writes) {
            if (api.name() == null) {
                return super.handleDelete(api.objectPath() + (api.query().containsKey("labelSelector")
                        ? "?labelSelector=" + java.net.URLEncoder.encode(api.query().get("labelSelector"), StandardCharsets.UTF_8) : ""));
            }
            JsonNode current = current(api.objectPath());
            if (current == null) {
                throw ApiException.notFound(api);
            }
            JsonNode options = body == null || body.isBlank() ? Responses.readObject("{}") : Responses.read(body);
            JsonNode pre = options.path("preconditions");
            if (pre.hasNonNull("uid") && !pre.get("uid").asText().equals(current.path("metadata").path("uid").asText())) {
                throw ApiException.conflict(api, "Precondition failed: UID in precondition: " + pre.get("uid").asText()
                        + ", UID in object meta: " + current.path("metadata").path("uid").asText());
            }
            if (pre.hasNonNull("resourceVersion") && !pre.get("resourceVersion").asText().equals(current.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(api, "Precondition failed: ResourceVersion in precondition: " + pre.get("resourceVersion").asText()
                        + ", ResourceVersion in object meta: " + current.path("metadata").path("resourceVersion").asText());
            }
            String policy = options.path("propagationPolicy").asText(api.query().getOrDefault("propagationPolicy", "Background"));
            if ("Orphan".equals(policy) || options.path("orphanDependents").asBoolean(false)) {
                String uid = current.path("metadata").path("uid").asText();
                collector.dependents(uid).forEach(d -> removeOwners(d.path(), List.of(uid)));
            }
            super.handleDelete(api.objectPath());
            JsonNode after = current(api.objectPath());
            return Responses.json(200, after != null ? after : current);
        }
    }

    private interface Store {
        MockResponse apply(RecordedRequest request);
    }

    private MockResponse store(HttpMethod method, String path, ObjectNode object, Store store) {
        RecordedRequest request = new RecordedRequest("HTTP/1.1", method, path,
                io.fabric8.mockwebserver.http.Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(object.toString().getBytes(StandardCharsets.UTF_8)));
        MockResponse response = store.apply(request);
        response.addHeader("Content-Type", "application/json");
        return response;
    }

    private JsonNode current(String objectPath) {
        MockResponse response = super.handleGet(objectPath);
        return response.code() == 200 ? Responses.body(response) : null;
    }

    private List<String> storedCrds() {
        JsonNode list = Responses.body(super.handleGet(CRDS));
        List<String> out = new ArrayList<>();
        list.path("items").forEach(crd -> out.add(crd.toString()));
        return out;
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        String before = oldAttributes == null ? null : map.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (before != null && newState == null) {
            deletions.record(requestResourceVersion(), oldAttributes, before);
        }
        ApiPath api = ApiPath.parse(path);
        if (api == null) {
            return;
        }
        JsonNode old = before == null ? null : Responses.read(before);
        JsonNode now = newState == null ? null : Responses.read(newState);
        if (api.group().equals("apiextensions.k8s.io") && api.plural().equals("customresourcedefinitions")) {
            if (now == null && old != null) {
                types.removeCrd(old.path("metadata").path("name").asText());
            } else if (now != null) {
                types.putCrd(now);
            }
            admission.invalidate();
        }
        String objectPath = now == null ? null : ApiPath.objectPath(api.group(), api.version(), api.plural(),
                now.path("metadata").hasNonNull("namespace") ? now.path("metadata").path("namespace").asText() : null,
                now.path("metadata").path("name").asText());
        collector.observe(objectPath, old, now);
    }

    @Override
    public void delete(String path) {
        ApiPath api = ApiPath.parse(path);
        try {
            delete(api, "");
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void removeOwners(String path, List<String> uids) {
        synchronized (writes) {
            JsonNode current = current(path);
            if (current == null) {
                return;
            }
            ObjectNode next = current.deepCopy();
            ArrayNode refs = ((ObjectNode) next.get("metadata")).putArray("ownerReferences");
            current.path("metadata").path("ownerReferences").forEach(ref -> {
                if (!uids.contains(ref.path("uid").asText())) {
                    refs.add(ref);
                }
            });
            store(HttpMethod.PUT, path, next, super::handleUpdate);
        }
    }

    /** Stops the garbage collector's worker. */
    public void close() {
        collector.close();
    }
}
