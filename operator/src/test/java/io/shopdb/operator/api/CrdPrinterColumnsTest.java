package io.shopdb.operator.api;

import io.shopdb.operator.testing.RepoFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code kubectl get} shows for each kind (the CRDs' additionalPrinterColumns, in order; "+" marks a
 * priority-1 column that only {@code -o wide} shows): Ready and Reason from the Ready condition first, Age
 * last, and every JSONPath pointing at a field the schema has. Also: every kind is in the category shopdb,
 * so {@code kubectl get shopdb} lists them all.
 */
class CrdPrinterColumnsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SEGMENT = Pattern.compile("\\.([A-Za-z0-9_]+)|\\[\\?\\(@\\.([A-Za-z0-9_]+)==\"[^\"]*\"\\)\\]");

    static final Map<String, List<String>> EXPECTED = Map.of(
            "PostgresPooler", List.of("Ready", "Reason", "Cluster", "Target", "Instances", "+Mode", "+Service", "Age"),
            "PostgresCluster", List.of("Ready", "Reason", "Instances", "Primary", "Version", "+Mode", "+Storage", "Age"),
            "PostgresDatabase", List.of("Ready", "Reason", "Database", "Cluster", "+Owner", "+Size", "Age"),
            "PostgresRole", List.of("Ready", "Reason", "Role", "Cluster", "+Login", "+Secret", "Age"),
            "PostgresMigration", List.of("Ready", "Reason", "Applied", "Database", "+Pending", "+Migrations", "Age"),
            "PostgresBackup", List.of("Ready", "Reason", "Method", "Size", "Completed", "+Cluster", "+Duration", "+Location", "Age"),
            "PostgresBackupSchedule", List.of("Ready", "Reason", "Last Backup", "Next", "+Schedule", "+Cluster", "+Suspended",
                    "+Last Backup Name", "Age"),
            "PostgresRestore", List.of("Ready", "Reason", "Target", "Cluster", "+Backup", "+Tables", "+Completed", "Age"),
            "PostgresMajorUpgrade", List.of("Ready", "Reason", "Phase", "Source", "Target", "+Lag", "+Pause", "Age"),
            "PostgresImageCatalog", List.of("Ready", "Reason", "Majors", "Age"));

    @Test
    void everyKindShowsReadyReasonItsOwnColumnsAndAgeLastAndIsInTheShopdbCategory() throws IOException {
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (Path file : RepoFiles.crdFiles()) {
            JsonNode crd = YAML.readTree(file.toFile());
            String kind = crd.path("spec").path("names").path("kind").asText();
            assertTrue(crd.path("spec").path("names").path("categories").toString().contains("\"shopdb\""),
                    kind + " is in the category shopdb");
            for (JsonNode version : crd.path("spec").path("versions")) {
                List<String> names = new ArrayList<>();
                JsonNode schema = version.path("schema").path("openAPIV3Schema");
                for (JsonNode column : version.path("additionalPrinterColumns")) {
                    names.add((column.path("priority").asInt() > 0 ? "+" : "") + column.path("name").asText());
                    String path = column.path("jsonPath").asText();
                    assertEquals(List.of(), missing(schema, path), kind + " column " + column.path("name") + ": " + path);
                }
                JsonNode columns = version.path("additionalPrinterColumns");
                assertEquals(".status.conditions[?(@.type==\"Ready\")].status", columns.get(0).path("jsonPath").asText());
                assertEquals(".status.conditions[?(@.type==\"Ready\")].reason", columns.get(1).path("jsonPath").asText());
                JsonNode age = columns.get(columns.size() - 1);
                assertEquals(".metadata.creationTimestamp", age.path("jsonPath").asText());
                assertEquals("date", age.path("type").asText());
                actual.put(kind, names);
            }
        }
        assertEquals(EXPECTED.keySet(), actual.keySet());
        EXPECTED.forEach((kind, columns) -> assertEquals(columns, actual.get(kind), kind));
    }

    @Test
    void aPathToAFieldTheSchemaLacksIsFound() {
        JsonNode schema = YAML.valueToTree(Map.of("properties", Map.of("status", Map.of("properties", Map.of(
                "conditions", Map.of("type", "array", "items", Map.of("properties", Map.of(
                        "type", Map.of("type", "string"), "status", Map.of("type", "string")))))))));
        assertEquals(List.of(), missing(schema, ".status.conditions[?(@.type==\"Ready\")].status"));
        assertEquals(List.of("reason"), missing(schema, ".status.conditions[?(@.type==\"Ready\")].reason"));
        assertEquals(List.of("phase"), missing(schema, ".status.phase"));
        assertEquals(List.of("kind"), missing(schema, ".status.conditions[?(@.kind==\"Ready\")].status"));
    }

    /** The names along {@code jsonPath} that the schema does not define (ObjectMeta's are taken as known). */
    static List<String> missing(JsonNode schema, String jsonPath) {
        if (jsonPath.equals(".metadata.creationTimestamp") || jsonPath.equals(".metadata.name")) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        Matcher m = SEGMENT.matcher(jsonPath);
        int end = 0;
        JsonNode node = schema;
        while (m.find() && m.start() == end) {
            end = m.end();
            if (m.group(1) != null) {
                node = node.path("properties").path(m.group(1));
                if (node.isMissingNode()) {
                    missing.add(m.group(1));
                    return missing;
                }
            } else {
                node = node.path("items");
                if (node.path("properties").path(m.group(2)).isMissingNode()) {
                    missing.add(m.group(2));
                    return missing;
                }
            }
        }
        if (end != jsonPath.length()) {
            missing.add("unparsed: " + jsonPath.substring(end));
        }
        return missing;
    }
}
