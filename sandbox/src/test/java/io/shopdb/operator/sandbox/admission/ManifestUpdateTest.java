package io.shopdb.operator.sandbox.admission;

import static io.shopdb.operator.sandbox.admission.ManifestValidatorTest.VALIDATOR;
import static io.shopdb.operator.sandbox.admission.ManifestValidatorTest.cluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Update-time checks: transition rules (oldSelf) and what may not change. */
class ManifestUpdateTest {

    private static List<String> update(Consumer<Map<String, Object>> before, Consumer<Map<String, Object>> after) {
        Map<String, Object> oldObj = cluster();
        before.accept(oldObj);
        Map<String, Object> newObj = cluster();
        after.accept(newObj);
        return VALIDATOR.validateUpdate(newObj, oldObj).stream().map(Violation::toString).toList();
    }

    private static Consumer<Map<String, Object>> spec(String key, Object value) {
        return m -> ManifestValidatorTest.spec(m).put(key, value);
    }

    @Test
    void immutableFieldWithSelfEqualsOldSelf() {
        assertEquals(List.of("spec.databaseName: databaseName is immutable"),
                update(spec("databaseName", "shop"), spec("databaseName", "store")));
        assertEquals(List.of(), update(spec("databaseName", "shop"), spec("databaseName", "shop")));
        // No old value: a transition rule does not run (setting it later is allowed, as in Kubernetes).
        assertEquals(List.of(), update(m -> { }, spec("databaseName", "store")));
        // Transition rules never run on create.
        assertEquals(List.of(), VALIDATOR.validateCreate(cluster()));
    }

    @Test
    void quantityMayGrowButNotShrink() {
        assertEquals(List.of("spec.storage.size: storage.size may not shrink"),
                update(spec("storage", Map.of("size", "10Gi")), spec("storage", Map.of("size", "5Gi"))));
        assertEquals(List.of("spec.storage.size: storage.size may not shrink"),
                update(spec("storage", Map.of("size", "10Gi")), spec("storage", Map.of("size", "10G"))));
        assertEquals(List.of(), update(spec("storage", Map.of("size", "10Gi")), spec("storage", Map.of("size", "20Gi"))));
        assertEquals(List.of(), update(spec("storage", Map.of("size", "1Gi")), spec("storage", Map.of("size", "1024Mi"))));
        // !has(oldSelf.size): an old object without a size imposes nothing.
        assertEquals(List.of(), update(spec("storage", Map.of()), spec("storage", Map.of("size", "1Gi"))));
    }

    @Test
    void invalidQuantityInATransitionRuleIsAnEvaluationError() {
        // Rules run parent first, so the storage rule reports before the size rule.
        assertEquals(List.of("spec.storage: " + Quantity.SYNTAX_ERROR + " evaluating rule: "
                                + "!has(oldSelf.size) || !quantity(self.size).isLessThan(quantity(oldSelf.size))",
                        "spec.storage.size: size must be a quantity such as 10Gi"),
                update(m -> { }, spec("storage", Map.of("size", "lots"))));
    }

    @Test
    void everyCreateCheckAlsoRunsOnUpdate() {
        assertEquals(List.of("spec.instances: should be greater than or equal to 1"),
                update(m -> { }, spec("instances", 0)));
    }

    @Test
    void kindNameAndNamespaceMayNotChange() {
        assertEquals(List.of("metadata.name: field is immutable"),
                update(m -> { }, m -> m.put("metadata", Map.of("name", "other"))));
        assertEquals(List.of("metadata.namespace: field is immutable"),
                update(m -> m.put("metadata", Map.of("name", "shop", "namespace", "a")),
                        m -> m.put("metadata", Map.of("name", "shop", "namespace", "b"))));
        assertEquals(List.of("kind: may not change from test.shopdb.io/v1alpha1/TestCluster to "
                        + "test.shopdb.io/v1alpha1/Other"),
                update(m -> { }, m -> m.put("kind", "Other")));
    }
}
