package io.shopdb.operator.sandbox.admission;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What kube-apiserver does to a custom resource before validating it, on a deep copy:
 * nulls in fields that are not {@code nullable} are dropped, then schema {@code default}s fill
 * missing fields (so CEL rules see defaulted values, as in a real cluster). Unknown fields are
 * kept: {@link StructuralValidation} reports them instead of pruning them.
 */
final class Defaulting {

    private Defaulting() {
    }

    /** A defaulted deep copy of {@code object}, validated against {@code schema}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> apply(Map<String, Object> object, Map<String, Object> schema) {
        Map<String, Object> copy = (Map<String, Object>) Schemas.deepCopy(object);
        visit(copy, schema, true);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static void visit(Object value, Map<String, Object> schema, boolean root) {
        if (schema == null) {
            return;
        }
        if (value instanceof Map<?, ?> raw) {
            Map<String, Object> map = (Map<String, Object>) raw;
            for (Iterator<Map.Entry<String, Object>> it = map.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Object> entry = it.next();
                Map<String, Object> child = Schemas.child(schema, entry.getKey());
                if (entry.getValue() == null && child != null && !Schemas.flag(child, "nullable")) {
                    it.remove();
                }
            }
            Schemas.properties(schema).forEach((name, child) -> {
                if (!map.containsKey(name) && child.containsKey("default")) {
                    map.put(name, Schemas.deepCopy(child.get("default")));
                }
            });
            for (Map.Entry<String, Object> entry : map.entrySet()) {
                if (!(root && entry.getKey().equals("metadata"))) {
                    visit(entry.getValue(), Schemas.child(schema, entry.getKey()), false);
                }
            }
        } else if (value instanceof List<?> list) {
            Map<String, Object> items = Schemas.items(schema);
            list.forEach(item -> visit(item, items, false));
        }
    }
}
