package io.shopdb.operator.sandbox.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The invariants of {@code x-kubernetes-list-type: set} (no duplicate items) and
 * {@code map} (no two items with the same {@code x-kubernetes-list-map-keys}), which
 * kube-apiserver checks after the schema, with its message {@code Duplicate value: ...}.
 */
final class ListTypes {

    private ListTypes() {
    }

    static List<Violation> validate(Map<String, Object> object, Map<String, Object> schema) {
        List<Violation> violations = new ArrayList<>();
        visit(object, schema, "", violations);
        return violations;
    }

    private static void visit(Object value, Map<String, Object> schema, String path, List<Violation> out) {
        if (schema == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> visit(v, Schemas.child(schema, (String) k), Schemas.child(path, (String) k), out));
        } else if (value instanceof List<?> list) {
            String listType = Schemas.listType(schema);
            List<String> keys = Schemas.listMapKeys(schema);
            for (int i = 0; i < list.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (listType.equals("set") && Schemas.jsonEquals(list.get(i), list.get(j))) {
                        out.add(new Violation(Schemas.index(path, i), "Duplicate value: " + json(list.get(i))));
                        break;
                    }
                    if (listType.equals("map") && sameKeys(list.get(i), list.get(j), keys)) {
                        out.add(new Violation(Schemas.index(path, i), "Duplicate value: " + json(keyValues(list.get(i), keys))));
                        break;
                    }
                }
                visit(list.get(i), Schemas.items(schema), Schemas.index(path, i), out);
            }
        }
    }

    /** Whether two list-map items have the same key fields (so they are one entry twice). */
    static boolean sameKeys(Object a, Object b, List<String> keys) {
        if (!(a instanceof Map<?, ?> x) || !(b instanceof Map<?, ?> y) || keys.isEmpty()) {
            return false;
        }
        return keys.stream().allMatch(k -> Schemas.jsonEquals(x.get(k), y.get(k)));
    }

    private static Map<String, Object> keyValues(Object item, List<String> keys) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        keys.forEach(k -> values.put(k, ((Map<?, ?>) item).get(k)));
        return values;
    }

    private static String json(Object value) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
