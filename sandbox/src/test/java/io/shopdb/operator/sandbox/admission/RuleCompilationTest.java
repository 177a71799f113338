package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rule that does not compile is a CRD bug: reported up front and on every manifest it applies to. */
class RuleCompilationTest {

    private static final ManifestValidator VALIDATOR = new ManifestValidator(CrdCatalog.fromYaml("""
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
                          x-kubernetes-validations:
                            - rule: self.replicas > 1
                            - rule: self.replicsa > 1
                            - rule: self.name
                            - rule: self.optional != 'forbidden'
                            - rule: self.app__dash__name != 'aaaaa'
                              message: escaped property names are visible to rules
                          properties:
                            replicas: {type: integer}
                            name: {type: string}
                            optional: {type: string}
                            app-name:
                              type: string
                              x-kubernetes-validations:
                                - rule: self.size() <= 3
                                  message: app-name may have at most 3 characters
                            tags:
                              type: array
                              items:
                                type: string
                                x-kubernetes-validations:
                                  - rule: "self.startsWith(1)"
            """));

    @Test
    void listsRulesThatDoNotCompileWithTheirSchemaPath() {
        assertEquals(List.of(
                        "things.example.com/v1:spec: rule \"self.replicsa > 1\" failed to compile: "
                                + "undefined field 'replicsa'",
                        "things.example.com/v1:spec: rule \"self.name\" failed to compile: "
                                + "\"self.name\" must evaluate to a bool, not string",
                        "things.example.com/v1:spec.tags[*]: rule \"self.startsWith(1)\" failed to compile: "
                                + "found no matching overload for 'startsWith' applied to 'string.(int)' (candidates: string.(string))"),
                VALIDATOR.ruleCompilationErrors().stream().map(Violation::toString).toList());
    }

    @Test
    void manifestsMeetingABrokenRuleReportItAndStillGetTheOtherRules() {
        Map<String, Object> thing = ManifestValidatorTest.yaml("""
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec: {replicas: 1, name: x, app-name: aaaaa}
                """);
        assertEquals(List.of(
                        "spec: failed rule: self.replicas > 1",
                        "spec: rule \"self.replicsa > 1\" failed to compile: undefined field 'replicsa'",
                        "spec: rule \"self.name\" failed to compile: \"self.name\" must evaluate to a bool, not string",
                        "spec: key 'optional' is not present in map evaluating rule: self.optional != 'forbidden'",
                        "spec: escaped property names are visible to rules",
                        "spec.app-name: app-name may have at most 3 characters"),
                VALIDATOR.validateCreate(thing).stream().map(Violation::toString).toList());
    }
}
