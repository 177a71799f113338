package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * Just enough of {@code /openapi/v3} for kubectl: its index of group-versions and, per group-version, the
 * PATCH operations with their {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} query
 * parameter. From that kubectl learns the server validates fields itself, so {@code kubectl apply} sends
 * {@code fieldValidation=Strict} instead of fetching full schemas for client-side validation. No schemas are
 * served: {@code kubectl explain} does not work against the sandbox.
 */
final class OpenApiV3 {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private OpenApiV3() {
    }

    static Optional<ObjectNode> answer(String path, List<ResourceType> types) {
        if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
            ObjectNode index = JSON.objectNode();
            ObjectNode paths = index.putObject("paths");
            types.stream().map(t -> ApiPath.prefix(t.group(), t.version()).substring(1)).distinct()
                    .forEach(gv -> paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv));
            return Optional.of(index);
        }
        String gv = path.substring("/openapi/v3/".length());
        List<ResourceType> served = types.stream().filter(t -> ApiPath.prefix(t.group(), t.version()).substring(1).equals(gv)).toList();
        if (served.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode doc = JSON.objectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes (shopdb sandbox)").put("version", Discovery.KUBERNETES_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : served) {
            String item = "/" + gv + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
            ObjectNode patch = paths.putObject(item).putObject("patch");
            patch.put("operationId", "patch" + t.kind());
            patch.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
            ArrayNode parameters = patch.putArray("parameters");
            for (String name : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
                parameters.addObject().put("name", name).put("in", "query").putObject("schema").put("type", "string");
            }
        }
        return Optional.of(doc);
    }
}
