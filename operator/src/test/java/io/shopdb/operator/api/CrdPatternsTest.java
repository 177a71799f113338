package io.shopdb.operator.api;

import io.shopdb.operator.testing.RepoFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code pattern} of our CRDs compiles with RE2 (RE2J, the syntax of Go's regexp that kube-apiserver
 * compiles patterns with); a lookahead, which java.util.regex accepts, made every real API server refuse the
 * PostgresRole CRD.
 */
class CrdPatternsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyPatternInCrdsCompilesWithRe2() throws IOException {
        List<Path> files = RepoFiles.crdFiles();
        assertFalse(files.isEmpty());
        int patterns = 0;
        for (Path file : files) {
            List<String[]> found = new ArrayList<>();
            collect(YAML.readTree(file.toFile()), "", found);
            patterns += found.size();
            assertNull(firstRefused(found), () -> file + ": RE2 refuses " + firstRefused(found));
        }
        assertTrue(patterns > 20, "the CRDs carry patterns (found " + patterns + ")");
    }

    @Test
    void theCheckFailsOnALookahead() {
        JsonNode schema = YAML.valueToTree(Map.of("properties", Map.of("name",
                Map.of("type", "string", "pattern", "^(?!pg_).{1,63}$"))));
        List<String[]> found = new ArrayList<>();
        collect(schema, "", found);
        String refused = firstRefused(found);
        assertTrue(refused != null && refused.startsWith(".properties.name.pattern ^(?!pg_)"), refused);
    }

    /** The first pattern RE2 refuses, as "path pattern: error", or null. */
    private static String firstRefused(List<String[]> found) {
        for (String[] p : found) {
            try {
                Pattern.compile(p[1]);
            } catch (PatternSyntaxException e) {
                return p[0] + " " + p[1] + ": " + e.getMessage();
            }
        }
        return null;
    }

    private static void collect(JsonNode node, String path, List<String[]> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String child = path + "." + e.getKey();
                if (e.getKey().equals("pattern") && e.getValue().isTextual()) {
                    out.add(new String[] {child, e.getValue().asText()});
                } else {
                    collect(e.getValue(), child, out);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "[" + i + "]", out);
            }
        }
    }
}
