package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.PatternSyntaxException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * kube-apiserver compiles and matches {@code pattern} with Go's regexp (RE2): a CRD whose pattern RE2
 * refuses is itself refused ("must be a valid regular expression"), and values are matched unanchored
 * ({@code regexp.MatchString}) with RE2's syntax, which the sandbox reproduces with RE2J.
 */
class Re2PatternsTest {

    @Test
    void re2RefusesALookaheadThatJavaRegexAccepts() {
        String lookahead = "^(?!pg_)[a-z_]{1,63}$";
        java.util.regex.Pattern.compile(lookahead); // java.util.regex admits it: the sandbox's old blind spot
        assertThrows(PatternSyntaxException.class, () -> Re2Patterns.compile(lookahead));
        assertThrows(PatternSyntaxException.class, () -> Re2Patterns.compile("^(a)\\1$")); // backreference
    }

    @Test
    void aCrdWithAPatternRe2RefusesIsRefusedLikeKubeApiserverRefusesIt() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> CrdCatalog.fromYaml(crd("'^(?!pg_).+$'")));
        assertTrue(refused.getMessage().startsWith("CRD things.example.com version v1 is invalid: spec.name: "
                + "pattern: Invalid value: \"^(?!pg_).+$\": must be a valid regular expression"), refused.getMessage());
    }

    @Test
    void valuesAreMatchedWithRe2SemanticsUnanchoredLikeGoMatchString() {
        ManifestValidator posix = new ManifestValidator(CrdCatalog.fromYaml(crd("'^[[:alpha:]]+$'")));
        // RE2 reads [[:alpha:]] as the POSIX class; java.util.regex would read the characters ":alph" and refuse "bcd".
        assertEquals(List.of(), posix.validateCreate(thing("bcd")));
        assertEquals(List.of(new Violation("spec.name", "should match '^[[:alpha:]]+$'")),
                posix.validateCreate(thing("b1")));
        // No anchors: Go's MatchString finds the pattern anywhere in the value.
        ManifestValidator unanchored = new ManifestValidator(CrdCatalog.fromYaml(crd("'b'")));
        assertEquals(List.of(), unanchored.validateCreate(thing("abc")));
    }

    private static Map<String, Object> thing(String name) {
        return Map.of("apiVersion", "example.com/v1", "kind", "Thing", "metadata", Map.of("name", "t"),
                "spec", Map.of("name", name));
    }

    private static String crd(String pattern) {
        return """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: things.example.com}
                spec:
                  group: example.com
                  names: {kind: Thing, plural: things}
                  scope: Namespaced
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema:
                          type: object
                          properties:
                            spec:
                              type: object
                              properties:
                                name: {type: string, pattern: %s}
                """.formatted(pattern);
    }
}
