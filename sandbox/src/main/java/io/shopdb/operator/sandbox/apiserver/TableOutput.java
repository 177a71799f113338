package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopdb.operator.sandbox.apiserver.ResourceType.Column;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} kube-apiserver returns when kubectl asks for
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}. Columns are NAME then the kind's printer
 * columns (a CRD's {@code additionalPrinterColumns}, evaluated as JSONPath; AGE when it declares none);
 * kubectl hides those with priority &gt; 0 unless {@code -o wide}.
 */
final class TableOutput {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TableOutput() {
    }

    /** Whether the request's Accept header asks for a Table (kubectl get's human-readable output). */
    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
    }

    /**
     * @param includeObject the request's {@code includeObject}: None, Object, or (default) Metadata
     */
    static ObjectNode of(ResourceType type, List<JsonNode> items, String resourceVersion, String includeObject, Instant now) {
        ObjectNode table = JSON.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode definitions = table.putArray("columnDefinitions");
        definitions.addObject().put("name", "Name").put("type", "string").put("format", "name")
                .put("description", "Name must be unique within a namespace.").put("priority", 0);
        for (Column c : type.columns()) {
            definitions.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                    .put("description", c.description()).put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(item.path("metadata").path("name").asText());
            for (Column c : type.columns()) {
                cells.add(cell(c, item, now));
            }
            switch (includeObject == null ? "Metadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", item);
                default -> {
                    ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", item.path("metadata"));
                }
            }
        }
        return table;
    }

    private static JsonNode cell(Column column, JsonNode item, Instant now) {
        List<JsonNode> found;
        try {
            found = JsonPath.parse(column.jsonPath()).find(item);
        } catch (IllegalArgumentException e) {
            return JSON.nullNode();
        }
        if (found.isEmpty() || found.get(0).isNull()) {
            return JSON.nullNode();
        }
        JsonNode value = found.get(0);
        return switch (column.type()) {
            case "date" -> {
                try {
                    yield JSON.textNode(age(Duration.between(Instant.parse(value.asText()), now)));
                } catch (DateTimeParseException e) {
                    yield JSON.nullNode();
                }
            }
            case "integer" -> value.canConvertToLong() ? JSON.numberNode(value.asLong()) : JSON.nullNode();
            case "number" -> value.isNumber() ? JSON.numberNode(value.asDouble()) : JSON.nullNode();
            case "boolean" -> value.isBoolean() ? value : JSON.nullNode();
            default -> JSON.textNode(value.isValueNode() ? value.asText() : value.toString());
        };
    }

    /** apimachinery's HumanDuration: 45s, 3m20s, 12m, 5h4m, 3d2h, 400d, 2y30d. */
    static String age(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = d.toMinutes();
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = d.toHours();
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        long days = (hours / 24) % 365;
        return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
}
