package io.shopdb.operator.api;

import io.shopdb.operator.sandbox.admission.ManifestValidator;
import io.shopdb.operator.sandbox.admission.Violation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transition rules of our CRDs (CEL with oldSelf), as an API server applies them on update. */
class ManifestUpdateRulesTest {
    private static ManifestValidator validator;

    @BeforeAll
    static void load() {
        validator = ManifestValidator.forCrdDirectory(Paths.get("crds"));
    }

    @Test
    void storageMayGrowButNotShrink() {
        assertEquals(List.of(), validator.validateUpdate(cluster(Map.of("storage", Map.of("size", "20Gi"))),
                cluster(Map.of("storage", Map.of("size", "10Gi")))));
        assertRejected(validator.validateUpdate(cluster(Map.of("storage", Map.of("size", "9Gi"))),
                cluster(Map.of("storage", Map.of("size", "10Gi")))), "spec.storage.size may grow but not shrink");
        // 1024Mi is 1Gi: equal is not a shrink
        assertEquals(List.of(), validator.validateUpdate(cluster(Map.of("storage", Map.of("size", "1024Mi"))),
                cluster(Map.of("storage", Map.of("size", "1Gi")))));
    }

    @Test
    void postgresVersionCannotChangeInPlaceAndTheMessageNamesTheWayThatWorks() {
        assertRejected(validator.validateUpdate(cluster(Map.of("postgresVersion", "16")), cluster(Map.of("postgresVersion", "15"))),
                "spec.postgresVersion cannot change: a newer server cannot start on the older data directory; declare a cluster at the"
                        + " new major and a PostgresMajorUpgrade");
        // the default (15) counts as the old value: setting 16 on a cluster created without the field is a change too
        assertRejected(validator.validateUpdate(cluster(Map.of("postgresVersion", "16")), cluster(Map.of("instances", 1))),
                "spec.postgresVersion cannot change");
        assertEquals(List.of(), validator.validateUpdate(cluster(Map.of("postgresVersion", "15", "instances", 2)),
                cluster(Map.of("instances", 1))));
        assertEquals(List.of(), validator.validateCreate(cluster(Map.of("postgresVersion", "17"))));
    }

    @Test
    void managedAndExternalModeCannotBeSwitched() {
        var external = cluster(Map.of("external", Map.of("host", "db.example.com", "adminSecretRef", Map.of("name", "admin"))));
        assertRejected(validator.validateUpdate(external, cluster(Map.of("instances", 1))), "cannot switch between managed and external");
    }

    @Test
    void storageClassAndDatabaseNamesAreImmutable() {
        assertRejected(validator.validateUpdate(cluster(Map.of("storage", Map.of("storageClass", "fast"))),
                cluster(Map.of("storage", Map.of("storageClass", "slow")))), "spec.storage.storageClass is immutable");
        Map<String, Object> db1 = Map.of("apiVersion", "shopdb.io/v1alpha1", "kind", "PostgresDatabase",
                "metadata", Map.of("name", "shop"), "spec", Map.of("clusterRef", Map.of("name", "c"), "name", "shop", "owner", "o"));
        Map<String, Object> db2 = Map.of("apiVersion", "shopdb.io/v1alpha1", "kind", "PostgresDatabase",
                "metadata", Map.of("name", "shop"), "spec", Map.of("clusterRef", Map.of("name", "c"), "name", "shop2", "owner", "o"));
        assertRejected(validator.validateUpdate(db2, db1), "spec.name is immutable");
    }

    @Test
    void bootstrapIsImmutableAndManagedOnly() {
        var fromA = cluster(Map.of("bootstrap", Map.of("fromBackup", Map.of("backupRef", Map.of("name", "a")))));
        var fromB = cluster(Map.of("bootstrap", Map.of("fromBackup", Map.of("backupRef", Map.of("name", "b")))));
        var none = cluster(Map.of("instances", 1));
        assertEquals(List.of(), validator.validateUpdate(fromA, fromA));
        assertRejected(validator.validateUpdate(fromB, fromA), "spec.bootstrap is immutable");
        assertRejected(validator.validateUpdate(none, fromA), "spec.bootstrap is immutable");
        assertRejected(validator.validateUpdate(fromA, none), "spec.bootstrap is immutable");
        assertRejected(validator.validateCreate(cluster(Map.of("bootstrap", Map.of("fromBackup", Map.of("backupRef", Map.of("name", "a"))),
                "external", Map.of("host", "db.example.com", "adminSecretRef", Map.of("name", "admin"))))),
                "spec.bootstrap applies to managed clusters only");
    }

    @Test
    void anImportIsGivenAtCreationOnlyAndNeverChangedButMayBeRemoved() {
        Map<String, Object> source = Map.of("host", "legacy.example.com", "database", "legacy", "secretRef", Map.of("name", "legacy"));
        var importing = database(Map.of("source", source));
        var other = database(Map.of("source", source, "jobs", 8));
        var plain = database(null);
        assertEquals(List.of(), validator.validateCreate(importing));
        assertEquals(List.of(), validator.validateUpdate(importing, importing));
        assertRejected(validator.validateUpdate(other, importing), "spec.import is immutable");
        assertRejected(validator.validateUpdate(importing, plain), "spec.import can only be given when the PostgresDatabase is created");
        assertEquals(List.of(), validator.validateUpdate(plain, importing), "removed after the import: the database stays as it is");
    }

    private static Map<String, Object> database(Map<String, Object> importSpec) {
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("clusterRef", Map.of("name", "c"), "owner", "o"));
        if (importSpec != null) {
            spec.put("import", importSpec);
        }
        return Map.of("apiVersion", "shopdb.io/v1alpha1", "kind", "PostgresDatabase", "metadata", Map.of("name", "shop"), "spec", spec);
    }

    private static Map<String, Object> cluster(Map<String, Object> spec) {
        return Map.of("apiVersion", "shopdb.io/v1alpha1", "kind", "PostgresCluster", "metadata", Map.of("name", "c"), "spec", spec);
    }

    private static void assertRejected(List<Violation> violations, String expected) {
        assertTrue(violations.stream().anyMatch(v -> v.message().contains(expected)), "expected '" + expected + "' in " + violations);
    }
}
