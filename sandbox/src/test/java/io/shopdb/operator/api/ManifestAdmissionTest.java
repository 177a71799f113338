package io.shopdb.operator.api;

import io.shopdb.operator.testing.RepoFiles;
import io.shopdb.operator.sandbox.admission.FileViolation;
import io.shopdb.operator.sandbox.admission.ManifestValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a real API server would say about our manifests, using the generated CRDs: every example is
 * admitted, every bad manifest is rejected with the message its "# expect:" line names.
 */
class ManifestAdmissionTest {
    private static final Pattern EXPECT = Pattern.compile("^# expect: (.+)$", Pattern.MULTILINE);
    private static ManifestValidator validator;

    @BeforeAll
    static void load() {
        validator = ManifestValidator.forCrdDirectory(Paths.get("crds")).acceptingUnchecked("v1/Secret", "v1/ConfigMap", "v1/PersistentVolumeClaim");
    }

    @Test
    void everyCelRuleOfOurCrdsCompiles() {
        assertEquals(List.of(), validator.ruleCompilationErrors());
    }

    @TestFactory
    Stream<DynamicTest> everyExampleIsAdmitted() throws IOException {
        List<Path> files = yamlFiles(Paths.get("examples"));
        assertFalse(files.isEmpty(), "examples/ has manifests");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.toString(),
                () -> assertEquals(List.of(), validator.validateFile(f))));
    }

    @TestFactory
    Stream<DynamicTest> everyBadManifestIsRejectedWithItsMessage() throws IOException {
        List<Path> files = yamlFiles(Paths.get("sandbox/src/test/resources/bad-manifests"));
        assertTrue(files.size() >= 10, "a meaningful set of bad manifests");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Matcher m = EXPECT.matcher(Files.readString(f));
            assertTrue(m.find(), f + " needs a '# expect: <text>' line");
            String expected = m.group(1).trim();
            List<FileViolation> violations = validator.validateFile(f);
            assertFalse(violations.isEmpty(), f + " was admitted but should be rejected");
            assertTrue(violations.stream().anyMatch(v -> v.toString().contains(expected)),
                    f + ": expected a violation containing '" + expected + "' but got " + violations);
        }));
    }

    @Test
    void schemaBoundsReadAsKubeApiserverPrintsThem() throws IOException {
        // the generated CRDs spell the bound 9.0; kube-apiserver prints a float64 bound as 9 (docs/real-control-plane.md)
        assertTrue(Files.readString(Paths.get("crds/postgresclusters.shopdb.io-v1.yml")).contains("maximum: 9.0"));
        List<String> messages = validator.validateFile(Paths.get("sandbox/src/test/resources/bad-manifests/instances-too-many.yaml"))
                .stream().map(v -> v.violation().toString()).toList();
        assertEquals(List.of("spec.instances: should be less than or equal to 9"), messages);
    }

    /** The committed CRD files, crds/*.yml. */
    static List<Path> crdFiles() throws IOException {
        return RepoFiles.crdFiles();
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        return RepoFiles.yamlFiles(dir);
    }
}
