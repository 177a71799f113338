package io.shopdb.operator.api;

import io.shopdb.operator.testing.RepoFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every string, list and map of every spec in crds/ has an upper bound (maxLength, maxItems,
 * maxProperties). kube-apiserver estimates the cost of each CEL rule from the largest value the rule can
 * see and refuses a CRD over its budget; an unbounded string or list reached by a rule is the usual cause.
 * Bounds also make "too long" a clear schema error instead of a PostgreSQL truncation or a 413.
 *
 * <p>Exempt, on purpose:
 * <ul>
 *   <li>strings with an {@code enum}: the longest allowed value is their bound;</li>
 *   <li>{@code x-kubernetes-int-or-string} values (the CPU and memory quantities of spec.resources):
 *       kube-apiserver parses them as quantities, whose format bounds them, and no rule reads them;</li>
 *   <li>{@code status}: only the operator writes it and no rule reads it; a bound there would turn a long
 *       PostgreSQL error message into a refused status write, i.e. a status that silently stops updating.</li>
 * </ul>
 */
class CrdBoundsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everySpecStringListAndMapHasAnUpperBound() throws IOException {
        List<String> unbounded = new ArrayList<>();
        int checked = 0;
        for (Path file : RepoFiles.crdFiles()) {
            JsonNode crd = YAML.readTree(file.toFile());
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode spec = version.path("schema").path("openAPIV3Schema").path("properties").path("spec");
                assertTrue(spec.isObject(), file + " has a spec schema");
                checked += unbounded(spec, crd.path("spec").path("names").path("kind").asText() + ".spec", unbounded);
            }
        }
        assertTrue(checked > 100, "walked the spec schemas (" + checked + " nodes)");
        assertEquals(List.of(), unbounded, "add @Size(max = ...) to these fields of api/v1alpha1");
    }

    @Test
    void theWalkFindsAnUnboundedStringListAndMap() {
        JsonNode schema = YAML.valueToTree(Map.of("type", "object", "properties", Map.of(
                "name", Map.of("type", "string"),
                "mode", Map.of("type", "string", "enum", List.of("a", "b")),
                "tags", Map.of("type", "array", "items", Map.of("type", "string", "maxLength", 5)),
                "labels", Map.of("type", "object", "maxProperties", 3,
                        "additionalProperties", Map.of("type", "string")))));
        List<String> found = new ArrayList<>();
        unbounded(schema, "spec", found);
        assertEquals(List.of("spec.labels.*: string without maxLength", "spec.name: string without maxLength",
                "spec.tags: array without maxItems"), found.stream().sorted().toList());
    }

    /** Adds "path: what is missing" for each unbounded node; returns the number of nodes walked. */
    private static int unbounded(JsonNode schema, String path, List<String> out) {
        int nodes = 1;
        String type = schema.path("type").asText();
        if (type.equals("string") && !schema.has("maxLength") && !schema.has("enum")) {
            out.add(path + ": string without maxLength");
        }
        if (type.equals("array") && !schema.has("maxItems")) {
            out.add(path + ": array without maxItems");
        }
        JsonNode additional = schema.path("additionalProperties");
        if (type.equals("object") && additional.isObject() && !schema.has("maxProperties")) {
            out.add(path + ": map without maxProperties");
        }
        var fields = schema.path("properties").fields();
        while (fields.hasNext()) {
            var field = fields.next();
            nodes += unbounded(field.getValue(), path + "." + field.getKey(), out);
        }
        if (additional.isObject() && !additional.path("x-kubernetes-int-or-string").asBoolean()) {
            nodes += unbounded(additional, path + ".*", out);
        }
        if (schema.path("items").isObject()) {
            nodes += unbounded(schema.path("items"), path + "[*]", out);
        }
        return nodes;
    }
}
