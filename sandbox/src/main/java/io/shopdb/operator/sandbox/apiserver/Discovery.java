package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * kube-apiserver's legacy discovery documents, which kubectl reads to map {@code get pgc} or
 * {@code get shopdb} (a category) to resources: {@code /api}, {@code /apis}, {@code /api/v1} and
 * {@code /apis/<group>/<version>}, plus {@code /version}. kubectl first asks for aggregated discovery and
 * falls back to these when the answer is plain {@code application/json}.
 */
final class Discovery {
    static final String KUBERNETES_VERSION = "v1.32.0";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Discovery() {
    }

    /** The discovery document at {@code path} (no query), if it is one. */
    static Optional<ObjectNode> answer(String path, List<ResourceType> types) {
        if (path.equals("/version")) {
            return Optional.of(version());
        }
        if (path.equals("/api")) {
            ObjectNode o = JSON.objectNode().put("kind", "APIVersions");
            o.putArray("versions").add("v1");
            o.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", "127.0.0.1");
            return Optional.of(o);
        }
        if (path.equals("/apis")) {
            ObjectNode o = JSON.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
            ArrayNode groups = o.putArray("groups");
            for (String group : ResourceTypes.groupsOf(types)) {
                List<String> versions = types.stream().filter(t -> t.group().equals(group)).map(ResourceType::version).distinct().toList();
                ObjectNode g = groups.addObject().put("name", group);
                ArrayNode vs = g.putArray("versions");
                versions.forEach(v -> vs.addObject().put("groupVersion", group + "/" + v).put("version", v));
                g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0)).put("version", versions.get(0));
            }
            return Optional.of(o);
        }
        if (path.equals("/api/v1")) {
            return Optional.of(resourceList("", "v1", types));
        }
        String[] parts = path.split("/");
        if (parts.length == 4 && parts[1].equals("apis")) {
            String group = parts[2];
            String version = parts[3];
            if (types.stream().anyMatch(t -> t.group().equals(group) && t.version().equals(version))) {
                return Optional.of(resourceList(group, version, types));
            }
        }
        return Optional.empty();
    }

    static ObjectNode version() {
        return JSON.objectNode().put("major", "1").put("minor", "32").put("gitVersion", KUBERNETES_VERSION + "-shopdb-sandbox")
                .put("gitCommit", "").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "none").put("compiler", "java").put("platform", "sandbox");
    }

    private static ObjectNode resourceList(String group, String version, List<ResourceType> types) {
        ObjectNode o = JSON.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = o.putArray("resources");
        for (ResourceType t : types) {
            if (!t.group().equals(group) || !t.version().equals(version)) {
                continue;
            }
            ObjectNode r = resources.addObject().put("name", t.plural()).put("singularName", t.singular())
                    .put("namespaced", t.namespaced()).put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            ResourceType.VERBS.forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode shortNames = r.putArray("shortNames");
                t.shortNames().forEach(shortNames::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode categories = r.putArray("categories");
                t.categories().forEach(categories::add);
            }
            if (t.statusSubresource()) {
                ObjectNode status = resources.addObject().put("name", t.plural() + "/status").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("kind", t.kind());
                status.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return o;
    }
}
