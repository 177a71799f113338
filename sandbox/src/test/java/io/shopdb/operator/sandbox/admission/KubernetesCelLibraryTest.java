package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.bundle.Cel;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The functions our CRD rules may use, each in an expression that must be true. */
class KubernetesCelLibraryTest {

    private static final Cel CEL = KubernetesCelLibrary.newBuilder()
            .addVar("m", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    private static final Map<String, Object> M = Map.of(
            "name", "shop-db", "n", 3L, "ratio", 0.5, "tags", List.of("a", "b", "ab"),
            "params", Map.of("max_connections", "100", "work_mem", "4MB"));

    @ParameterizedTest
    @ValueSource(strings = {
        // macros
        "has(m.name) && !has(m.missing)",
        "m.tags.all(t, t.size() <= 2)",
        "m.tags.exists(t, t == 'ab')",
        "m.tags.exists_one(t, t.startsWith('a') && t.size() == 2)",
        "m.tags.map(t, t + '!') == ['a!', 'b!', 'ab!']",
        "m.tags.filter(t, t.contains('b')) == ['b', 'ab']",
        "m.params.all(k, !(k in ['port', 'data_directory']))",
        // size and strings
        "size(m.tags) == 3 && m.name.size() == 7",
        "m.name.matches('^[a-z-]+$') && m.name.matches('db')", // matches searches, as in Kubernetes
        "m.name.startsWith('shop') && m.name.endsWith('-db') && m.name.contains('p-d')",
        "m.name.lowerAscii() == 'shop-db' && m.name.split('-') == ['shop', 'db']",
        "m.name.find('[a-z]+') == 'shop' && m.name.findAll('[a-z]+') == ['shop', 'db']",
        "m.name.findAll('[a-z]+', 1) == ['shop']",
        // numbers: ints and doubles compare with each other, as in Kubernetes
        "m.n > 2.5 && m.ratio < 1",
        // quantities
        "quantity('1Gi').isGreaterThan(quantity('1G'))",
        "quantity('500Mi').isLessThan(quantity('1Gi'))",
        "quantity('1024Mi').compareTo(quantity('1Gi')) == 0",
        "quantity('1k').compareTo(quantity('1Ki')) == -1 && quantity('1Ki').compareTo(quantity('1k')) == 1",
        "quantity('1e3') == quantity('1k')",
        "isQuantity('10Gi') && !isQuantity('10GB') && !isQuantity('')",
        "quantity('1Gi').add(quantity('1Gi')) == quantity('2Gi') && quantity('3').sub(1) == quantity('2')",
        "quantity('1.5').sign() == 1 && !quantity('1.5').isInteger() && quantity('2k').asInteger() == 2000",
        "quantity('250m').asApproximateFloat() == 0.25",
        "sets.contains(['a', 'b'], ['a'])",
    })
    void ruleHoldsTrue(String expression) throws Exception {
        assertEquals(true, eval(expression), expression);
    }

    @Test
    void invalidQuantityIsAnEvaluationErrorWithKubernetesMessage() {
        CelEvaluationException e = org.junit.jupiter.api.Assertions.assertThrows(CelEvaluationException.class,
                () -> eval("quantity('ten') == quantity('10')"));
        assertEquals(Quantity.SYNTAX_ERROR, e.getCause().getMessage());
    }

    @Test
    void quantityIsAnOpaqueTypeNotAString() {
        CelValidationResult result = CEL.compile("quantity('1Gi') == '1Gi'");
        assertTrue(result.hasError(), "comparing a quantity with a string must not type-check");
    }

    private static Object eval(String expression) throws Exception {
        return CEL.createProgram(CEL.compile(expression).getAst()).eval(Map.of("m", M));
    }
}
