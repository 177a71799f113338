package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * PATCH bodies turned into the full object they produce, so every write goes through the same update
 * rules. JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386, {@code null} removes) as kube-apiserver
 * applies them; a strategic merge patch (what kubectl sends for built-in kinds) is applied as a merge patch
 * after dropping its {@code $} directives, which is exact for the maps of Secrets, ConfigMaps and metadata
 * but replaces lists that kube-apiserver would merge by key. Server-side apply is refused (415).
 */
final class Patches {
    private Patches() {
    }

    static ObjectNode apply(JsonNode current, String body, String contentType) {
        String type = contentType == null ? "application/json-patch+json" : contentType.split(";")[0].trim();
        JsonNode patch = Responses.read(body);
        JsonNode result = switch (type) {
            case "application/json-patch+json" -> {
                try {
                    yield JsonPatch.apply(patch, current);
                } catch (RuntimeException e) {
                    throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request: " + e.getMessage());
                }
            }
            case "application/merge-patch+json" -> merge(current, patch);
            case "application/strategic-merge-patch+json" -> merge(current, withoutDirectives(patch));
            default -> throw new ApiException(415, "UnsupportedMediaType", "the sandbox API server does not support " + type
                    + " (server-side apply): use kubectl apply without --server-side");
        };
        if (!result.isObject()) {
            throw new ApiException(422, "Invalid", "the patch does not produce an object");
        }
        return (ObjectNode) result;
    }

    /** RFC 7386. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode out = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
            }
        }
        return out;
    }

    private static JsonNode withoutDirectives(JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode out = patch.deepCopy();
        List<String> directives = new ArrayList<>();
        out.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("$")) {
                directives.add(name);
            }
        });
        out.remove(directives);
        out.fields().forEachRemaining(e -> out.set(e.getKey(), withoutDirectives(e.getValue())));
        return out;
    }
}
