package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * What kube-apiserver's registry strategies do to an object before it is stored, where fabric8's CRUD
 * dispatcher does not: Secret {@code stringData}, status subresources of built-in kinds, generated names,
 * the immutability of {@code deletionTimestamp}, no new finalizers on an object being deleted, and the
 * optimistic-concurrency check of {@code resourceVersion} on every write (status writes included).
 * Pure functions of (current, desired), so each rule reads on its own.
 */
final class ObjectRules {
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"; // apimachinery's SimpleNameGenerator alphabet
    private static final SecureRandom RANDOM = new SecureRandom();

    private ObjectRules() {
    }

    /** The object as a create stores it (before schema defaulting). */
    static void onCreate(ResourceType type, ObjectNode obj) {
        ObjectNode meta = metadata(obj);
        if (meta.path("name").asText().isEmpty() && meta.hasNonNull("generateName")) {
            StringBuilder name = new StringBuilder(meta.get("generateName").asText());
            for (int i = 0; i < 5; i++) {
                name.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
            }
            meta.put("name", name.toString());
        }
        meta.remove(java.util.List.of("deletionTimestamp", "deletionGracePeriodSeconds"));
        mergeStringData(obj);
        if (type != null && type.statusSubresource()) {
            resetStatus(type, obj);
        }
    }

    /**
     * The object an update (PUT, or PATCH after applying the patch) stores.
     *
     * @throws ApiException 409 on a stale resourceVersion, 422 on a new finalizer of an object being deleted
     */
    static ObjectNode onUpdate(ApiPath path, ResourceType type, JsonNode current, ObjectNode desired) {
        String expected = desired.path("metadata").path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText("");
        if (!expected.isEmpty() && !expected.equals(actual)) {
            throw ApiException.conflict(path, "the object has been modified; please apply your changes to the latest version and try again");
        }
        if (path.isStatus()) {
            // the status subresource takes status and nothing else
            ObjectNode next = current.deepCopy();
            if (desired.has("status")) {
                next.set("status", desired.get("status"));
            } else {
                next.remove("status");
            }
            return next;
        }
        ObjectNode meta = metadata(desired);
        JsonNode currentMeta = current.path("metadata");
        for (String immutable : new String[] {"deletionTimestamp", "deletionGracePeriodSeconds", "uid", "creationTimestamp"}) {
            if (currentMeta.has(immutable)) {
                meta.set(immutable, currentMeta.get(immutable));
            } else {
                meta.remove(immutable);
            }
        }
        if (currentMeta.hasNonNull("deletionTimestamp")) {
            Set<String> before = texts(currentMeta.path("finalizers"));
            for (String f : texts(meta.path("finalizers"))) {
                if (!before.contains(f)) {
                    throw new ApiException(422, "Invalid", kindName(current) + " is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [\"" + f + "\"]",
                            java.util.List.<String[]>of(new String[] {"metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted"}));
                }
            }
        }
        if (type != null && type.statusSubresource()) {
            // the main resource ignores status when a status subresource exists
            if (current.has("status")) {
                desired.set("status", current.get("status"));
            } else {
                desired.remove("status");
            }
        }
        mergeStringData(desired);
        return desired;
    }

    /** A Secret's write-only {@code stringData} goes into {@code data} (base64), overriding equal keys, and is not stored. */
    static void mergeStringData(ObjectNode obj) {
        if (!"Secret".equals(obj.path("kind").asText()) || !"v1".equals(obj.path("apiVersion").asText()) || !obj.has("stringData")) {
            return;
        }
        JsonNode stringData = obj.remove("stringData");
        if (!stringData.isObject() || stringData.isEmpty()) {
            return;
        }
        ObjectNode data = obj.has("data") && obj.get("data").isObject() ? (ObjectNode) obj.get("data") : obj.putObject("data");
        for (Iterator<Map.Entry<String, JsonNode>> it = stringData.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** What a create does to the status of a kind with a status subresource (as the kind's PrepareForCreate). */
    private static void resetStatus(ResourceType type, ObjectNode obj) {
        obj.remove("status");
        switch (type.kind()) {
            case "Pod", "PersistentVolumeClaim", "PersistentVolume" -> obj.putObject("status").put("phase", "Pending");
            case "Namespace" -> obj.putObject("status").put("phase", "Active");
            default -> { }
        }
    }

    static ObjectNode metadata(ObjectNode obj) {
        JsonNode meta = obj.get("metadata");
        return meta instanceof ObjectNode o ? o : obj.putObject("metadata");
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> out = new HashSet<>();
        if (array instanceof ArrayNode a) {
            a.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static String kindName(JsonNode obj) {
        return obj.path("kind").asText() + " \"" + obj.path("metadata").path("name").asText() + "\"";
    }
}
