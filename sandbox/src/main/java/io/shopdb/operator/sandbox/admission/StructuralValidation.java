package io.shopdb.operator.sandbox.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Step 1 of admission: the OpenAPI v3 schema check, run by networknt on the schema
 * {@link SchemaConverter} produced, with networknt's messages rewritten into kube-apiserver's
 * wording (without kube's repetition of the path and value) and paths in dot form.
 */
final class StructuralValidation {

    /**
     * @param blocking true when a violation is of a kind kube-apiserver lets block the CEL rules
     *                 (wrong type, enum, required, maxLength, maxItems, maxProperties): rules may
     *                 assume those hold, and would otherwise fail confusingly or cost unboundedly
     */
    record Result(List<Violation> violations, boolean blocking) {
    }

    private static final java.util.Set<String> BLOCKING =
            java.util.Set.of("type", "enum", "required", "maxLength", "maxItems", "maxProperties");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(true)
            .regularExpressionFactory(Re2Patterns.FACTORY)
            .build();

    private final JsonNode converted;
    private final JsonSchema schema;

    StructuralValidation(Map<String, Object> openApiV3Schema) {
        this.converted = SchemaConverter.convert(openApiV3Schema);
        this.schema = FACTORY.getSchema(converted, CONFIG);
    }

    Result validate(Map<String, Object> object) {
        JsonNode instance = YamlDocuments.MAPPER.valueToTree(object);
        List<Violation> violations = new ArrayList<>();
        boolean blocking = false;
        for (ValidationMessage message : schema.validate(instance)) {
            String type = message.getType();
            blocking |= BLOCKING.contains(type);
            violations.add(toViolation(message));
        }
        // networknt reports in schema order; sorting by path reads better and is stable.
        violations.sort(Comparator.comparing(Violation::path));
        return new Result(List.copyOf(violations), blocking);
    }

    private Violation toViolation(ValidationMessage m) {
        String path = dotPath(m.getInstanceLocation());
        JsonNode keywordValue = m.getSchemaNode();
        JsonNode instance = m.getInstanceNode();
        String limit = keywordValue == null ? "?" : keywordValue.asText();
        return switch (m.getType()) {
            case "required" -> new Violation(Schemas.child(path, m.getProperty()), "Required value");
            case "additionalProperties" -> {
                String field = Schemas.child(path, m.getProperty());
                yield new Violation(field, "unknown field \"" + field + "\"");
            }
            case "type" -> new Violation(path, "must be of type " + typeNames(keywordValue));
            case "enum" -> new Violation(path, "Unsupported value: " + instance + ": supported values: "
                    + StreamSupport.stream(keywordValue.spliterator(), false)
                            .map(JsonNode::toString).collect(Collectors.joining(", ")));
            case "minimum", "exclusiveMinimum" -> {
                JsonNode parent = parentSchema(m);
                yield new Violation(path, parent.path("exclusiveMinimum").asBoolean()
                        ? "should be greater than " + bound(parent.path("minimum"))
                        : "should be greater than or equal to " + bound(parent.path("minimum")));
            }
            case "maximum", "exclusiveMaximum" -> {
                JsonNode parent = parentSchema(m);
                yield new Violation(path, parent.path("exclusiveMaximum").asBoolean()
                        ? "should be less than " + bound(parent.path("maximum"))
                        : "should be less than or equal to " + bound(parent.path("maximum")));
            }
            case "minLength" -> new Violation(path, "should be at least " + limit + " chars long");
            case "maxLength" -> new Violation(path, "Too long: may not be longer than " + limit);
            case "pattern" -> new Violation(path, "should match '" + limit + "'");
            case "minItems" -> new Violation(path, "should have at least " + limit + " items");
            case "maxItems" -> new Violation(path, "Too many: " + instance.size() + ": must have at most "
                    + limit + " items");
            case "minProperties" -> new Violation(path, "should have at least " + limit + " properties");
            case "maxProperties" -> new Violation(path, "Too many: " + instance.size() + ": must have at most "
                    + limit + " items");
            case "multipleOf" -> new Violation(path, "should be a multiple of " + limit);
            case "uniqueItems" -> new Violation(path, "shouldn't contain duplicates");
            case "format" -> new Violation(path, "must be of type " + limit);
            case "anyOf" -> new Violation(path, "must validate at least one schema (anyOf)");
            case "oneOf" -> new Violation(path, "must validate one and only one schema (oneOf)");
            case "not" -> new Violation(path, "must not validate the schema (not)");
            default -> new Violation(path, stripLocation(m.getMessage()));
        };
    }

    /** A schema bound as kube-apiserver prints it: 9, not the 9.0 the generated CRD spells (Go's %v of a float64). */
    static String bound(JsonNode number) {
        double d = number.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : number.asText();
    }

    /** The schema object holding the failed keyword, e.g. for minimum's sibling exclusiveMinimum. */
    private JsonNode parentSchema(ValidationMessage m) {
        String location = m.getSchemaLocation().toString();
        String pointer = location.substring(location.indexOf('#') + 1);
        return converted.at(pointer.substring(0, Math.max(0, pointer.lastIndexOf('/'))));
    }

    private static String typeNames(JsonNode type) {
        if (type == null) {
            return "?";
        }
        if (!type.isArray()) {
            return type.asText();
        }
        return StreamSupport.stream(type.spliterator(), false).map(JsonNode::asText)
                .filter(t -> !t.equals("null")).collect(Collectors.joining(" or "));
    }

    static String dotPath(JsonNodePath location) {
        String path = "";
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            path = element instanceof Integer index ? Schemas.index(path, index) : Schemas.child(path, (String) element);
        }
        return path;
    }

    private static String stripLocation(String message) {
        int colon = message.indexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }
}
