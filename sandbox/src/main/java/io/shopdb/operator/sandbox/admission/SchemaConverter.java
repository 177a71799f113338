package io.shopdb.operator.sandbox.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a CRD's structural OpenAPI v3 schema into a JSON Schema (draft 4, whose
 * {@code exclusiveMinimum: true} matches OpenAPI 3.0) that networknt can check, with the meaning
 * kube-apiserver gives the Kubernetes extensions:
 * <ul>
 *   <li>{@code x-kubernetes-int-or-string}: the value is an integer or a string;</li>
 *   <li>{@code nullable: true}: null is allowed (non-nullable nulls are pruned before, see
 *       {@link Defaulting});</li>
 *   <li>unknown fields: kube-apiserver prunes them; {@code kubectl apply}'s strict field validation
 *       rejects them, and so do we: objects get {@code additionalProperties: false} unless they
 *       declare {@code additionalProperties} or {@code x-kubernetes-preserve-unknown-fields};</li>
 *   <li>the root (and {@code x-kubernetes-embedded-resource} objects) implicitly allow
 *       {@code apiVersion}, {@code kind} and {@code metadata}; root metadata is checked by
 *       {@link ManifestValidator} itself, as kube-apiserver checks ObjectMeta, not by the schema.</li>
 * </ul>
 * Other {@code x-kubernetes-*} keywords are dropped here; list types and CEL rules are checked
 * by {@link ListTypes} and {@link CelRules}. Only the formats whose meaning is the same in
 * Kubernetes and JSON Schema are kept ({@code duration}, for example, is Go's "1h30m" in
 * Kubernetes but ISO 8601 in JSON Schema).
 */
final class SchemaConverter {

    private static final List<String> COPIED = List.of("enum", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems",
            "uniqueItems", "minProperties", "maxProperties", "required");
    private static final Set<String> FORMATS = Set.of("date-time", "date", "ipv4", "ipv6", "uuid");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SchemaConverter() {
    }

    static ObjectNode convert(Map<String, Object> openApiV3Schema) {
        return convert(openApiV3Schema, true, true);
    }

    /**
     * @param structural false inside allOf/anyOf/oneOf/not, where Kubernetes allows only value
     *                   validations and where "unknown field" makes no sense
     */
    @SuppressWarnings("unchecked")
    private static ObjectNode convert(Map<String, Object> schema, boolean structural, boolean root) {
        ObjectNode out = JSON.objectNode();
        String type = Schemas.type(schema);
        boolean nullable = Schemas.flag(schema, "nullable");
        if (Schemas.intOrString(schema)) {
            ArrayNode types = out.putArray("type").add("integer").add("string");
            if (nullable) {
                types.add("null");
            }
        } else if (type != null) {
            if (nullable) {
                out.putArray("type").add(type).add("null");
            } else {
                out.put("type", type);
            }
        }
        for (String keyword : COPIED) {
            if (schema.containsKey(keyword)) {
                out.set(keyword, YamlDocuments.MAPPER.valueToTree(schema.get(keyword)));
            }
        }
        if (nullable && out.get("enum") instanceof ArrayNode values) {
            values.addNull();
        }
        if (schema.get("format") instanceof String format && FORMATS.contains(format)) {
            out.put("format", format);
        }

        boolean embedded = Schemas.flag(schema, "x-kubernetes-embedded-resource");
        Map<String, Map<String, Object>> properties = Schemas.properties(schema);
        if (!properties.isEmpty() || root || embedded) {
            ObjectNode props = out.putObject("properties");
            properties.forEach((name, child) -> props.set(name,
                    root && name.equals("metadata") ? JSON.objectNode().put("type", "object")
                            : convert(child, structural, false)));
            if (root || embedded) {
                props.putIfAbsent("apiVersion", JSON.objectNode().put("type", "string"));
                props.putIfAbsent("kind", JSON.objectNode().put("type", "string"));
                props.putIfAbsent("metadata", JSON.objectNode().put("type", "object"));
            }
        }
        Object additional = schema.get("additionalProperties");
        if (additional instanceof Map<?, ?> valueSchema) {
            out.set("additionalProperties", convert((Map<String, Object>) valueSchema, structural, false));
        } else if (additional instanceof Boolean allowed) {
            out.put("additionalProperties", allowed);
        } else if (structural && "object".equals(type) && !Schemas.preserveUnknownFields(schema)) {
            out.put("additionalProperties", false);
        }
        if (Schemas.items(schema) != null) {
            out.set("items", convert(Schemas.items(schema), structural, false));
        }
        for (String junctor : List.of("allOf", "anyOf", "oneOf")) {
            if (schema.get(junctor) instanceof List<?> branches && !onlyIntOrStringTypes(schema, branches)) {
                ArrayNode converted = out.putArray(junctor);
                branches.forEach(b -> converted.add(convert((Map<String, Object>) b, false, false)));
            }
        }
        if (schema.get("not") instanceof Map<?, ?> not) {
            out.set("not", convert((Map<String, Object>) not, false, false));
        }
        return out;
    }

    /**
     * fabric8 and controller-gen write int-or-string as {@code anyOf: [{type: integer}, {type: string}]}
     * next to the extension; the type union above says the same with a clearer message.
     */
    private static boolean onlyIntOrStringTypes(Map<String, Object> schema, List<?> branches) {
        return Schemas.intOrString(schema) && branches.stream().allMatch(b -> b instanceof Map<?, ?> m
                && m.size() == 1 && ("integer".equals(m.get("type")) || "string".equals(m.get("type"))));
    }

    /** The node a JSON pointer (as in networknt's schema locations) designates, or a missing node. */
    static JsonNode at(JsonNode converted, String pointer) {
        return converted.at(pointer.startsWith("#") ? pointer.substring(1) : pointer);
    }
}
