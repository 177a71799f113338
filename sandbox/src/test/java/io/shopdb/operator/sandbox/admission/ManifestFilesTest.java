package io.shopdb.operator.sandbox.admission;

import static io.shopdb.operator.sandbox.admission.ManifestValidatorTest.VALIDATOR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-document YAML: each violation names file, line, resource, field. */
class ManifestFilesTest {

    private static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private static Path resource(String name) throws Exception {
        return Path.of(ManifestFilesTest.class.getResource("/admission/" + name).toURI());
    }

    @Test
    void reportsEveryDocumentWithItsLine() throws Exception {
        Path file = resource("bad-clusters.yaml");
        String f = file.toString();
        assertEquals(List.of(
                        f + ":1: TestCluster/shop: spec.instances: should be greater than or equal to 1",
                        f + ":11: TestCluster/Shop_2: metadata.name: " + SUBDOMAIN,
                        f + ":11: TestCluster/Shop_2: spec.foo: unknown field \"spec.foo\"",
                        f + ":11: TestCluster/Shop_2: spec.storage.size: storage.size must be at least 1Gi, not 512Mi",
                        f + ":21: ConfigMap/migrations: kind: no matches for kind \"ConfigMap\" in version \"v1\""),
                VALIDATOR.validateFile(file).stream().map(FileViolation::toString).toList());
    }

    @Test
    void kindsAcceptedUncheckedGetOnlyMetadataChecks() {
        ManifestValidator validator = VALIDATOR.acceptingUnchecked("v1/ConfigMap", "v1/Secret");
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: migrations}
                data: {anything: goes}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: Bad_Name}
                """;
        assertEquals(List.of(new FileViolation("inline", 6, "Secret/Bad_Name", new Violation("metadata.name", SUBDOMAIN))),
                validator.validateYaml(yaml, "inline"));
    }

    @Test
    void yamlErrorsAndNonObjectsAreViolations() {
        assertEquals(List.of("broken.yaml:2: invalid YAML: while parsing a flow sequence, "
                        + "expected ',' or ']', but got <stream end>"),
                VALIDATOR.validateYaml("a: 1\nb: [unclosed\n", "broken.yaml").stream()
                        .map(FileViolation::toString).toList());

        assertEquals(List.of("dup.yaml:2: invalid YAML: Duplicate field 'a'"),
                VALIDATOR.validateYaml("a: 1\na: 2\n", "dup.yaml").stream().map(FileViolation::toString).toList());
        assertEquals(List.of("list.yaml:1: document is not an object"),
                VALIDATOR.validateYaml("- a\n- b\n", "list.yaml").stream().map(FileViolation::toString).toList());
        assertEquals(List.of(), VALIDATOR.validateYaml("---\n# nothing\n---\n", "empty.yaml"));
    }
}
