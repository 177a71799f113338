package io.shopdb.operator.sandbox.admission;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Step 2 of admission: the {@code x-kubernetes-validations} CEL rules of one CRD version.
 *
 * <p>All rules are compiled once, up front (the instance is then immutable and thread-safe), each
 * with {@code self} and {@code oldSelf} typed from its schema node by {@link CelTypes}. Validation
 * walks schema and object together; at every node where the object has a value, each rule runs
 * with {@code self} bound to that value. A rule that mentions {@code oldSelf} is a transition
 * rule: like kube-apiserver, it runs only on update and only where the old object has a
 * correlatable value (same property or map key; list items only in {@code list-type: map} lists,
 * matched by their keys, or {@code set} lists, matched by value).
 */
final class CelRules {

    private record Rule(String text, String message, String fieldPath, CelRuntime.Program program,
                        CelRuntime.Program messageProgram, boolean transition, String compileError) {
    }

    private final Map<Map<String, Object>, List<Rule>> rulesBySchema = new IdentityHashMap<>();
    private final List<Violation> compileErrors = new ArrayList<>();
    private final Map<String, Object> rootSchema;

    CelRules(Map<String, Object> rootSchema, String kind) {
        this.rootSchema = rootSchema;
        CelTypes types = new CelTypes(rootSchema, kind);
        Cel base = KubernetesCelLibrary.newBuilder().setTypeProvider(types).build();
        compileAll(base, types, rootSchema, "");
    }

    /** Every rule that does not compile, with the schema path of its node (a CRD bug). */
    List<Violation> compileErrors() {
        return compileErrors;
    }

    /** Evaluates all rules; {@code oldObject} is null on create. */
    List<Violation> validate(Map<String, Object> object, Map<String, Object> oldObject) {
        List<Violation> violations = new ArrayList<>();
        walk(object, oldObject, oldObject != null, rootSchema, "", true, violations);
        return violations;
    }

    private void compileAll(Cel base, CelTypes types, Map<String, Object> root, String rootPath) {
        Schemas.walk(root, rootPath, (schema, path) -> {
            List<Map<String, Object>> declared = Schemas.validations(schema);
            if (declared.isEmpty()) {
                return;
            }
            CelType self = types.typeOf(schema);
            Cel cel = base.toCelBuilder().addVar("self", self).addVar("oldSelf", self).build();
            List<Rule> rules = new ArrayList<>();
            for (Map<String, Object> rule : declared) {
                Rule compiled = compile(cel, rule);
                rules.add(compiled);
                if (compiled.compileError() != null) {
                    compileErrors.add(new Violation(path, compiled.compileError()));
                }
            }
            rulesBySchema.put(schema, rules);
        });
    }

    private static Rule compile(Cel cel, Map<String, Object> rule) {
        String text = String.valueOf(rule.get("rule"));
        String message = rule.get("message") instanceof String m && !m.isBlank() ? m : "failed rule: " + text;
        String fieldPath = rule.get("fieldPath") instanceof String f ? f : "";
        try {
            CelAbstractSyntaxTree ast = checked(cel, text, SimpleType.BOOL, "a bool");
            boolean transition = ast.getReferenceMap().values().stream().anyMatch(r -> r.name().equals("oldSelf"));
            CelRuntime.Program messageProgram = null;
            if (rule.get("messageExpression") instanceof String expression) {
                messageProgram = cel.createProgram(checked(cel, expression, SimpleType.STRING, "a string"));
            }
            return new Rule(text, message, fieldPath, cel.createProgram(ast), messageProgram, transition, null);
        } catch (CompileException | CelEvaluationException e) {
            return new Rule(text, message, fieldPath, null, null, false,
                    "rule \"" + text + "\" failed to compile: " + e.getMessage());
        }
    }

    private static CelAbstractSyntaxTree checked(Cel cel, String expression, CelType expected, String what)
            throws CompileException {
        CelValidationResult result = cel.compile(expression);
        if (result.hasError()) {
            throw new CompileException(result.getErrors().stream().map(CelIssue::getMessage)
                    .collect(Collectors.joining("; ")));
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            CelType type = ast.getResultType();
            if (!type.equals(expected) && !type.equals(SimpleType.DYN)) {
                throw new CompileException("\"" + expression + "\" must evaluate to " + what + ", not " + type.name());
            }
            return ast;
        } catch (dev.cel.common.CelValidationException e) {
            throw new CompileException(e.getMessage());
        }
    }

    private static final class CompileException extends Exception {
        CompileException(String message) {
            super(message);
        }
    }

    private void walk(Object value, Object old, boolean hasOld, Map<String, Object> schema, String path,
                      boolean root, List<Violation> out) {
        if (value == null || schema == null) {
            return;
        }
        for (Rule rule : rulesBySchema.getOrDefault(schema, List.of())) {
            if (rule.compileError() != null) {
                out.add(new Violation(path, rule.compileError()));
            } else if (!rule.transition() || hasOld) {
                evaluate(rule, value, old, hasOld, schema, path, root, out);
            }
        }
        if (value instanceof Map<?, ?> map) {
            Map<?, ?> oldMap = hasOld && old instanceof Map<?, ?> m ? m : Map.of();
            map.forEach((k, v) -> {
                String key = (String) k;
                if (!(root && key.equals("metadata"))) {
                    walk(v, oldMap.get(key), oldMap.containsKey(key), Schemas.child(schema, key),
                            Schemas.child(path, key), false, out);
                }
            });
        } else if (value instanceof List<?> list) {
            List<?> oldList = hasOld && old instanceof List<?> l ? l : List.of();
            String listType = Schemas.listType(schema);
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                Object oldItem = oldList.stream().filter(o -> listType.equals("map")
                                ? ListTypes.sameKeys(item, o, Schemas.listMapKeys(schema))
                                : listType.equals("set") && Schemas.jsonEquals(item, o))
                        .findFirst().orElse(null);
                walk(item, oldItem, oldItem != null, Schemas.items(schema), Schemas.index(path, i), false, out);
            }
        }
    }

    private static void evaluate(Rule rule, Object value, Object old, boolean hasOld, Map<String, Object> schema,
                                 String path, boolean root, List<Violation> out) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("self", CelTypes.toCel(value, schema, root));
        if (hasOld) {
            variables.put("oldSelf", CelTypes.toCel(old, schema, root));
        }
        try {
            Object result = rule.program().eval(variables);
            if (Boolean.FALSE.equals(result)) {
                out.add(new Violation(fieldPath(path, rule.fieldPath()), message(rule, variables)));
            } else if (!Boolean.TRUE.equals(result)) {
                out.add(new Violation(path, "rule \"" + rule.text() + "\" did not evaluate to a bool: " + result));
            }
        } catch (CelEvaluationException | RuntimeException e) {
            out.add(new Violation(path, describe(e) + " evaluating rule: " + rule.text()));
        }
    }

    /**
     * The useful part of an evaluation error: our own functions' message (e.g. an invalid
     * quantity) rather than cel-java's "Function ... failed", without the source position.
     */
    private static String describe(Exception e) {
        String message = e.getCause() instanceof IllegalArgumentException cause && cause.getMessage() != null
                ? cause.getMessage() : String.valueOf(e.getMessage());
        return message.replaceFirst("^evaluation error at <input>:\\d+: ", "").replaceFirst("\\.\\s*$", "").strip();
    }

    /** messageExpression wins when it yields a non-empty one-line string, as in Kubernetes. */
    private static String message(Rule rule, Map<String, Object> variables) {
        if (rule.messageProgram() != null) {
            try {
                if (rule.messageProgram().eval(variables) instanceof String s && !s.isBlank() && !s.contains("\n")) {
                    return s;
                }
            } catch (CelEvaluationException | RuntimeException e) {
                // fall back to message, as kube-apiserver does
            }
        }
        return rule.message();
    }

    /** Appends a rule's fieldPath ({@code .size}, {@code .labels['a.b']}) to the node path. */
    private static String fieldPath(String path, String fieldPath) {
        if (fieldPath.isEmpty()) {
            return path;
        }
        String relative = fieldPath.replaceAll("\\['([^']*)'\\]", ".$1").replaceFirst("^\\.", "");
        return relative.startsWith("[") ? path + relative : Schemas.child(path, relative);
    }
}
