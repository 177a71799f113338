package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Kubernetes JSONPath that CRD printer columns and field selectors use:
 * {@code .a.b}, {@code ['a.b']}, {@code [0]}, {@code [*]} and filters {@code [?(@.type=="Ready")]}
 * (with {@code ==} or {@code !=}, either quote). Anything else is refused when the path is parsed.
 */
final class JsonPath {
    private final List<Step> steps;

    private sealed interface Step permits Field, Index, All, Filter {
    }

    private record Field(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record All() implements Step {
    }

    private record Filter(List<String> field, boolean equal, String value) implements Step {
    }

    private JsonPath(List<Step> steps) {
        this.steps = steps;
    }

    static JsonPath parse(String expression) {
        String s = expression.trim();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.startsWith("$")) {
            s = s.substring(1);
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != '.' && s.charAt(end) != '[') {
                    end++;
                }
                if (end > i + 1) {
                    steps.add(new Field(s.substring(i + 1, end)));
                }
                i = end;
            } else if (c == '[') {
                int end = closing(s, i);
                steps.add(bracket(s.substring(i + 1, end).trim(), expression));
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unsupported JSONPath " + expression);
            }
        }
        return new JsonPath(List.copyOf(steps));
    }

    private static int closing(String s, int open) {
        boolean quoted = false;
        char quote = 0;
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                quoted = c != quote;
            } else if (c == '\'' || c == '"') {
                quoted = true;
                quote = c;
            } else if (c == ']') {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed [ in JSONPath " + s);
    }

    private static Step bracket(String inner, String expression) {
        if (inner.equals("*")) {
            return new All();
        }
        if (inner.matches("-?[0-9]+")) {
            return new Index(Integer.parseInt(inner));
        }
        if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith("\"") && inner.endsWith("\""))) {
            return new Field(inner.substring(1, inner.length() - 1));
        }
        if (inner.startsWith("?(@.") && inner.endsWith(")")) {
            String cond = inner.substring(4, inner.length() - 1);
            boolean equal = !cond.contains("!=");
            String[] sides = cond.split(equal ? "==" : "!=", 2);
            if (sides.length == 2) {
                String value = sides[1].trim();
                if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
                    value = value.substring(1, value.length() - 1);
                }
                return new Filter(List.of(sides[0].trim().split("\\.")), equal, value);
            }
        }
        throw new IllegalArgumentException("unsupported JSONPath " + expression);
    }

    /** Every value the path reaches in {@code root}, in document order. */
    List<JsonNode> find(JsonNode root) {
        List<JsonNode> current = List.of(root);
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                if (step instanceof Field f) {
                    if (node.has(f.name())) {
                        next.add(node.get(f.name()));
                    }
                } else if (step instanceof Index ix) {
                    int i = ix.index() < 0 ? node.size() + ix.index() : ix.index();
                    if (node.isArray() && i >= 0 && i < node.size()) {
                        next.add(node.get(i));
                    }
                } else if (step instanceof All) {
                    node.forEach(next::add);
                } else if (step instanceof Filter f) {
                    node.forEach(item -> {
                        JsonNode v = item;
                        for (String part : f.field()) {
                            v = v.path(part);
                        }
                        if (!v.isMissingNode() && v.asText().equals(f.value()) == f.equal()) {
                            next.add(item);
                        }
                    });
                }
            }
            current = next;
        }
        return current;
    }
}
