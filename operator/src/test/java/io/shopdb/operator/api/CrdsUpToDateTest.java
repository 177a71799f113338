package io.shopdb.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crdv2.generator.CRDGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * crds/ is committed (Helm, kubectl and the sandbox use it). This fails when the API classes changed and
 * crds/ was not regenerated: run `mvn package` (the build writes crds/) and commit the result.
 */
class CrdsUpToDateTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void committedCrdsMatchTheApiClasses(@TempDir Path out) throws IOException {
        new CRDGenerator().inOutputDir(out.toFile()).forCRDVersions("v1")
                .withPostProcessor(new PrinterColumnOrder())
                .customResourceClasses(PrinterColumnOrder.KINDS.toArray(Class[]::new))
                .generate();
        List<Path> generated;
        try (Stream<Path> files = Files.list(out)) {
            generated = files.sorted().toList();
        }
        assertEquals(PrinterColumnOrder.KINDS.size(), generated.size(), "one CRD per kind");
        for (Path file : generated) {
            Path committed = Paths.get("crds").resolve(file.getFileName());
            assertTrue(Files.exists(committed), committed + " is missing: run mvn package and commit crds/");
            JsonNode expected = YAML.readTree(file.toFile());
            JsonNode actual = YAML.readTree(committed.toFile());
            assertEquals(expected, actual, committed + " is stale: run mvn package and commit crds/");
        }
        try (Stream<Path> files = Files.list(Paths.get("crds"))) {
            assertEquals(generated.size(), files.count(), "crds/ holds a CRD the code no longer generates");
        }
    }
}
