package io.shopdb.operator.sandbox.admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read helpers over a CRD's OpenAPI v3 schema as parsed from YAML (nested Maps), plus the
 * field-path notation every violation uses: {@code spec.storage.size}, {@code spec.users[0].name}.
 */
final class Schemas {

    private Schemas() {
    }

    static String type(Map<String, Object> schema) {
        return schema.get("type") instanceof String s ? s : null;
    }

    static boolean flag(Map<String, Object> schema, String key) {
        return Boolean.TRUE.equals(schema.get(key));
    }

    static boolean intOrString(Map<String, Object> schema) {
        return flag(schema, "x-kubernetes-int-or-string");
    }

    static boolean preserveUnknownFields(Map<String, Object> schema) {
        return flag(schema, "x-kubernetes-preserve-unknown-fields");
    }

    /** Declared properties, in declaration order; empty when none. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> properties(Map<String, Object> schema) {
        return schema.get("properties") instanceof Map<?, ?> p
                ? (Map<String, Map<String, Object>>) p : Map.of();
    }

    /** The value schema of a map-like object ({@code additionalProperties: {schema}}), or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> additionalProperties(Map<String, Object> schema) {
        return schema.get("additionalProperties") instanceof Map<?, ?> a ? (Map<String, Object>) a : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> items(Map<String, Object> schema) {
        return schema.get("items") instanceof Map<?, ?> i ? (Map<String, Object>) i : null;
    }

    /** The schema a child value is checked against: a declared property, else additionalProperties. */
    static Map<String, Object> child(Map<String, Object> schema, String key) {
        Map<String, Object> declared = properties(schema).get(key);
        return declared != null ? declared : additionalProperties(schema);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> validations(Map<String, Object> schema) {
        return schema.get("x-kubernetes-validations") instanceof List<?> l
                ? (List<Map<String, Object>>) l : List.of();
    }

    @SuppressWarnings("unchecked")
    static List<String> listMapKeys(Map<String, Object> schema) {
        return schema.get("x-kubernetes-list-map-keys") instanceof List<?> l ? (List<String>) l : List.of();
    }

    static String listType(Map<String, Object> schema) {
        return schema.get("x-kubernetes-list-type") instanceof String s ? s : "atomic";
    }

    /**
     * Visits a schema node and every node below it (properties, map values, list items), with its path in
     * the violation notation: {@code *} for map values and {@code [*]} for list items.
     */
    static void walk(Map<String, Object> schema, String path, java.util.function.BiConsumer<Map<String, Object>, String> visitor) {
        visitor.accept(schema, path);
        properties(schema).forEach((name, child) -> walk(child, child(path, name), visitor));
        if (additionalProperties(schema) != null) {
            walk(additionalProperties(schema), child(path, "*"), visitor);
        }
        if (items(schema) != null) {
            walk(items(schema), path + "[*]", visitor);
        }
    }

    static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String index(String path, int index) {
        return path + "[" + index + "]";
    }

    /** A deep, mutable copy of a YAML/JSON tree (Maps keep their order). */
    @SuppressWarnings("unchecked")
    static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return value;
    }

    /** JSON-style equality: numbers compare by value whatever their Java type (1 == 1L == 1.0). */
    static boolean jsonEquals(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            try {
                return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
            } catch (NumberFormatException nanOrInfinity) {
                return x.doubleValue() == y.doubleValue();
            }
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return x.size() == y.size() && x.entrySet().stream()
                    .allMatch(e -> y.containsKey(e.getKey()) && jsonEquals(e.getValue(), y.get(e.getKey())));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!jsonEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(a, b);
    }
}
