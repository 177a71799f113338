package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1, 1",
        "+1, 1",
        "-2, -2",
        "1.5, 1.5",
        ".5, 0.5",
        "1., 1",
        "500m, 0.5",
        "250u, 0.00025",
        "3n, 0.000000003",
        "1k, 1000",
        "2M, 2000000",
        "1G, 1000000000",
        "1T, 1000000000000",
        "1P, 1000000000000000",
        "1E, 1000000000000000000",
        "1Ki, 1024",
        "1Mi, 1048576",
        "1.5Gi, 1610612736",
        "1Ti, 1099511627776",
        "1Pi, 1125899906842624",
        "1Ei, 1152921504606846976",
        "1e3, 1000",
        "1E3, 1000",
        "5e-1, 0.5",
        "12E+2, 1200",
    })
    void parsesKubernetesQuantities(String text, String expected) {
        assertEquals(0, Quantity.parse(text).value().compareTo(new BigDecimal(expected)), text);
        assertTrue(Quantity.isQuantity(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "1 Gi", "Gi", "1KB", "1ki", "1gi", "1.2.3", "--1", "1e", "e3", "1Gi5", "0x10"})
    void rejectsWhatKubernetesRejects(String text) {
        assertFalse(Quantity.isQuantity(text), text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(text));
        assertEquals(Quantity.SYNTAX_ERROR, e.getMessage());
    }

    @Test
    void comparesNumericallyAcrossSuffixes() {
        assertTrue(Quantity.parse("1Gi").isGreaterThan(Quantity.parse("1G")));
        assertTrue(Quantity.parse("999Mi").isLessThan(Quantity.parse("1Gi")));
        assertEquals(0, Quantity.parse("1024Mi").compareTo(Quantity.parse("1Gi")));
        assertEquals(Quantity.parse("1000m"), Quantity.parse("1"));
        assertEquals(Quantity.parse("1000m").hashCode(), Quantity.parse("1").hashCode());
        assertEquals("1Gi", Quantity.parse("1Gi").toString());
    }

    @Test
    void arithmeticAndConversions() {
        assertEquals(Quantity.parse("1536Mi"), Quantity.parse("1Gi").add(Quantity.parse("512Mi")));
        assertEquals(Quantity.parse("-1"), Quantity.parse("1").sub(Quantity.parse("2")));
        assertEquals(-1, Quantity.parse("-1").sign());
        assertTrue(Quantity.parse("2k").isInteger());
        assertFalse(Quantity.parse("1500m").isInteger());
        assertEquals(2000L, Quantity.parse("2k").asInteger());
        assertEquals(1.5, Quantity.parse("1500m").asApproximateFloat());
        assertThrows(IllegalArgumentException.class, () -> Quantity.parse("1500m").asInteger());
    }
}
