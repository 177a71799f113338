package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Create-time checks of the TestCluster fixture CRD: each bad manifest gets exactly its violations. */
class ManifestValidatorTest {

    static final String RULES_SKIPPED = "some validation rules were not checked because the object was "
            + "invalid; correct the existing errors to complete validation";

    static final ManifestValidator VALIDATOR;

    static {
        try {
            VALIDATOR = ManifestValidator.forCrdDirectory(CrdCatalogTest.crdDirectory());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A valid TestCluster; tests change one thing each. */
    static Map<String, Object> cluster() {
        return yaml("""
                apiVersion: test.shopdb.io/v1alpha1
                kind: TestCluster
                metadata:
                  name: shop
                spec:
                  version: "16"
                  instances: 2
                  storage:
                    size: 10Gi
                """);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) YamlDocuments.parse(text).get(0).content();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> manifest) {
        return (Map<String, Object>) manifest.get("spec");
    }

    private static List<String> create(Consumer<Map<String, Object>> change) {
        Map<String, Object> manifest = cluster();
        change.accept(manifest);
        return VALIDATOR.validateCreate(manifest).stream().map(Violation::toString).toList();
    }

    private static List<String> createSpec(Consumer<Map<String, Object>> change) {
        return create(m -> change.accept(spec(m)));
    }

    @Test
    void exampleFileAndBaseManifestAreValid() throws Exception {
        Path good = Path.of(getClass().getResource("/admission/good-clusters.yaml").toURI());
        assertEquals(List.of(), VALIDATOR.validateFile(good));
        assertEquals(List.of(), create(m -> { }));
        assertEquals(List.of(), VALIDATOR.ruleCompilationErrors());
    }

    @Test
    void requiredFields() {
        assertEquals(List.of("spec.storage: Required value", "spec.version: Required value", RULES_SKIPPED),
                createSpec(s -> { s.remove("version"); s.remove("storage"); }));
        // Without the skip, the storage rules would fail on the missing size.
        assertEquals(List.of("spec.storage.size: Required value", RULES_SKIPPED),
                createSpec(s -> s.put("storage", Map.of())));
    }

    @Test
    void minimumMaximumAndExclusiveMinimum() {
        assertEquals(List.of("spec.instances: should be greater than or equal to 1"),
                createSpec(s -> s.put("instances", 0)));
        assertEquals(List.of("spec.instances: should be less than or equal to 5"),
                createSpec(s -> s.put("instances", 6)));
        assertEquals(List.of("spec.cpu: should be greater than 0"), createSpec(s -> s.put("cpu", 0)));
        assertEquals(List.of(), createSpec(s -> s.put("cpu", 0.25)));
    }

    @Test
    void patternAndLength() {
        assertEquals(List.of("spec.databaseName: should match '^[a-z_][a-z0-9_]*$'"),
                createSpec(s -> s.put("databaseName", "Shop")));
        assertEquals(List.of("spec.databaseName: Too long: may not be longer than 63", RULES_SKIPPED),
                createSpec(s -> s.put("databaseName", "a".repeat(64))));
        assertEquals(List.of("spec.users[0].name: should be at least 1 chars long"),
                createSpec(s -> s.put("users", List.of(Map.of("name", "")))));
    }

    @Test
    void enumAndTypeErrorsSkipCelRulesLikeKubeApiserver() {
        assertEquals(List.of("spec.version: Unsupported value: \"14\": supported values: \"15\", \"16\", \"17\"",
                        RULES_SKIPPED),
                createSpec(s -> s.put("version", "14")));
        // instances: 1 would fail the replication rule, but rules are skipped after a type error
        assertEquals(List.of("spec.instances: must be of type integer", RULES_SKIPPED),
                createSpec(s -> { s.put("instances", "three"); s.put("replication", Map.of()); }));
        assertEquals(List.of("spec.storage: must be of type object", RULES_SKIPPED),
                createSpec(s -> s.put("storage", "10Gi")));
    }

    @Test
    void intOrString() {
        assertEquals(List.of(), createSpec(s -> s.put("port", 5432)));
        assertEquals(List.of(), createSpec(s -> s.put("port", "pg")));
        assertEquals(List.of("spec.port: must be of type integer or string", RULES_SKIPPED),
                createSpec(s -> s.put("port", true)));
        String message = "spec.port: port must be a number from 1024 to 65535 or a port name";
        assertEquals(List.of(message), createSpec(s -> s.put("port", 80)));
        assertEquals(List.of(message), createSpec(s -> s.put("port", "Bad_Name")));
    }

    @Test
    void unknownFieldsAreReportedExceptWhereUnknownFieldsArePreserved() {
        assertEquals(List.of("spec.foo: unknown field \"spec.foo\"",
                        "spec.storage.bar: unknown field \"spec.storage.bar\"",
                        "specs: unknown field \"specs\""),
                create(m -> {
                    m.put("specs", Map.of());
                    spec(m).put("foo", "bar");
                    spec(m).put("storage", Map.of("size", "10Gi", "bar", 1));
                }));
        assertEquals(List.of(), createSpec(s -> s.put("extra", Map.of("free", Map.of("form", List.of(1))))));
    }

    @Test
    void mapWithAdditionalPropertiesAndMapKeyRule() {
        assertEquals(List.of(), createSpec(s -> s.put("parameters", Map.of("work_mem", "4MB"))));
        assertEquals(List.of("spec.parameters: parameters may not set port or data_directory"),
                createSpec(s -> s.put("parameters", Map.of("port", "5433"))));
        assertEquals(List.of("spec.parameters.work_mem: must be of type string", RULES_SKIPPED),
                createSpec(s -> s.put("parameters", Map.of("work_mem", 4))));
        assertEquals(List.of("spec.parameters: Too many: 4: must have at most 3 items", RULES_SKIPPED),
                createSpec(s -> s.put("parameters", Map.of("a", "1", "b", "2", "c", "3", "d", "4"))));
    }

    @Test
    void listTypeMapAndSetAndItemRules() {
        assertEquals(List.of("spec.users[1]: Duplicate value: {\"name\":\"app\"}"),
                createSpec(s -> s.put("users", List.of(Map.of("name", "app"), Map.of("name", "app")))));
        assertEquals(List.of("spec.users[0].roles[2]: Duplicate value: \"reader\""),
                createSpec(s -> s.put("users", List.of(Map.of("name", "app",
                        "roles", List.of("reader", "writer", "reader"))))));
        assertEquals(List.of("spec.users[1]: user name postgres is reserved"),
                createSpec(s -> s.put("users", List.of(Map.of("name", "app"), Map.of("name", "postgres")))));
        assertEquals(List.of("spec.users[0]: a user may have at most one admin role"),
                createSpec(s -> s.put("users", List.of(Map.of("name", "app",
                        "roles", List.of("admin", "admin_read"))))));
        assertEquals(List.of("spec.users: Too many: 4: must have at most 3 items", RULES_SKIPPED),
                createSpec(s -> s.put("users", List.of(Map.of("name", "a"), Map.of("name", "b"),
                        Map.of("name", "c"), Map.of("name", "d")))));
        assertEquals(List.of("spec.users[0].name: Required value", RULES_SKIPPED),
                createSpec(s -> s.put("users", List.of(Map.of("connectionLimit", 5)))));
    }

    @Test
    void celRulesOnNestedObjectsWithFieldPathAndMessageExpression() {
        assertEquals(List.of("spec.replication: replication needs at least 2 instances"),
                createSpec(s -> { s.put("instances", 1); s.put("replication", Map.of("mode", "sync")); }));
        assertEquals(List.of("spec.storage.size: size must be a quantity such as 10Gi"),
                createSpec(s -> s.put("storage", Map.of("size", "ten gigs"))));
        assertEquals(List.of("spec.storage.size: storage.size must be at least 1Gi, not 512Mi"),
                createSpec(s -> s.put("storage", Map.of("size", "512Mi"))));
        assertEquals(List.of(), createSpec(s -> s.put("storage", Map.of("size", "1073741824"))));
    }

    @Test
    void rootRuleSeesMetadataName() {
        assertEquals(List.of("metadata.name may have at most 40 characters"),
                create(m -> m.put("metadata", Map.of("name", "a".repeat(41)))));
    }

    @Test
    void objectMetadata() {
        String subdomain = "metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'example.com', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        assertEquals(List.of(subdomain), create(m -> m.put("metadata", Map.of("name", "Shop_1"))));
        assertEquals(List.of("metadata.name: Required value: name or generateName is required", RULES_SKIPPED),
                create(m -> m.remove("metadata")));
        // kube-apiserver generates the name before validating: the root rule sees one.
        assertEquals(List.of(), create(m -> m.put("metadata", Map.of("generateName", "shop-"))));
        assertEquals(List.of("metadata.name may have at most 40 characters"),
                create(m -> m.put("metadata", Map.of("generateName", "s".repeat(36)))));
        assertEquals(List.of("metadata.labels.tier: must be of type string"),
                create(m -> m.put("metadata", Map.of("name", "shop", "labels", Map.of("tier", 1)))));
        assertEquals(List.of("metadata.namespace: a lowercase RFC 1123 label must consist of lower case "
                        + "alphanumeric characters or '-', and must start and end with an alphanumeric character "
                        + "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
                create(m -> m.put("metadata", Map.of("name", "shop", "namespace", "prod.eu"))));
    }

    @Test
    void nullsDefaultsAndStatusAreHandledAsByKubeApiserver() {
        Map<String, Object> manifest = cluster();
        spec(manifest).put("instances", null);      // non-nullable null: pruned, then defaulted
        spec(manifest).put("description", null);    // nullable: kept
        spec(manifest).put("replication", Map.of());
        manifest.put("status", Map.of("phase", 5)); // status subresource: ignored
        assertEquals(List.of("spec.replication: replication needs at least 2 instances"),
                VALIDATOR.validateCreate(manifest).stream().map(Violation::toString).toList());

        Map<String, Object> stored = VALIDATOR.withDefaults(manifest);
        assertEquals(yaml("""
                apiVersion: test.shopdb.io/v1alpha1
                kind: TestCluster
                metadata: {name: shop}
                spec:
                  version: "16"
                  instances: 1
                  storage: {size: 10Gi}
                  description: null
                  replication: {mode: async}
                """), stored);
        assertEquals(2, spec(cluster()).get("instances"), "the input is not modified");
    }

    @Test
    void unknownKindsAndVersions() {
        assertEquals(List.of("kind: no matches for kind \"Foo\" in version \"test.shopdb.io/v1alpha1\""),
                create(m -> m.put("kind", "Foo")));
        assertEquals(List.of("apiVersion: no served version \"test.shopdb.io/v2\" of kind \"TestCluster\""),
                create(m -> m.put("apiVersion", "test.shopdb.io/v2")));
        assertEquals(List.of("apiVersion: Required value", "kind: Required value"),
                create(m -> { m.remove("apiVersion"); m.remove("kind"); }));
    }
}
