package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fieldSelector} ({@code involvedObject.name=x,type!=Normal}), matched against any field of the
 * object; fabric8 matches only name and namespace, and kubectl describe finds an object's Events this way.
 * A missing field matches as the empty string, as in kube-apiserver.
 */
final class FieldSelector {
    private record Requirement(JsonPath field, boolean equal, String value) {
    }

    private final List<Requirement> requirements;

    private FieldSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    static FieldSelector parse(String selector) {
        List<Requirement> out = new ArrayList<>();
        if (selector != null) {
            for (String part : selector.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                boolean equal = !part.contains("!=");
                String[] sides = part.split(equal ? "==?" : "!=", 2);
                if (sides.length != 2) {
                    throw new ApiException(400, "BadRequest", "invalid field selector: " + part);
                }
                out.add(new Requirement(JsonPath.parse("." + sides[0].trim()), equal, sides[1].trim()));
            }
        }
        return new FieldSelector(out);
    }

    boolean matches(JsonNode object) {
        for (Requirement r : requirements) {
            List<JsonNode> found = r.field().find(object);
            String value = found.isEmpty() || found.get(0).isNull() ? "" : found.get(0).asText();
            if (value.equals(r.value()) != r.equal()) {
                return false;
            }
        }
        return true;
    }
}
