package io.shopdb.operator.api;

import io.shopdb.operator.testing.RepoFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's kubeVersion and the README name the oldest Kubernetes whose API server accepts every CEL
 * rule of our CRDs. kube-apiserver compiles a new rule against the CEL environment of the previous minor
 * release (its "compatibility version", so that a rollback still understands stored rules): a library
 * introduced in 1.N can be used in a new CRD from 1.N+1 on. The quantity() library came in 1.28, so a CRD
 * using it is refused by a 1.28 API server ("undeclared reference to 'quantity'") and accepted from 1.29
 * (k8s.io/apiserver/pkg/cel/environment/base.go; kubernetes/website#42454).
 */
class KubernetesVersionTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Oldest minor for CRD validation rules at all: beta and on by default since 1.25, transition rules included. */
    static final int RULES_MINOR = 25;

    /** Kubernetes CEL libraries and the first minor whose API server accepts them in a new rule. */
    static final Map<String, Integer> LIBRARY_MINOR = Map.of(
            "quantity(", 29, "isQuantity(", 29, // introduced 1.28
            "sets.", 30,                         // introduced 1.29
            "ip(", 31, "cidr(", 31, "isIP(", 31, "isCIDR(", 31, // introduced 1.30
            "format.", 32);                     // introduced 1.31

    @Test
    void chartAndReadmeNameTheOldestKubernetesThatAcceptsEveryRule() throws IOException {
        List<String> rules = new ArrayList<>();
        for (Path file : RepoFiles.crdFiles()) {
            collectRules(YAML.readTree(file.toFile()), rules);
        }
        assertTrue(rules.size() > 10, "found the CEL rules of crds/ (" + rules.size() + ")");
        int minor = oldestMinor(rules);
        assertEquals(29, minor, "quantity() in the storage-size rule needs 1.29");

        JsonNode chart = YAML.readTree(Path.of("helm/shopdb-operator/Chart.yaml").toFile());
        assertEquals(">=1." + minor + ".0-0", chart.path("kubeVersion").asText(), "helm/shopdb-operator/Chart.yaml kubeVersion");
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("Kubernetes 1." + minor + " or later"), "README names Kubernetes 1." + minor + " or later");
    }

    @Test
    void aRuleUsingANewerLibraryRaisesTheOldestVersion() {
        assertEquals(RULES_MINOR, oldestMinor(List.of("self == oldSelf", "!self.startsWith('pg_')")));
        assertEquals(29, oldestMinor(List.of("self == oldSelf", "!quantity(self).isLessThan(quantity(oldSelf))")));
        assertEquals(31, oldestMinor(List.of("isQuantity(self)", "ip(self).family() == 4")));
    }

    static int oldestMinor(List<String> rules) {
        int minor = RULES_MINOR;
        for (String rule : rules) {
            for (var library : LIBRARY_MINOR.entrySet()) {
                if (rule.matches("(?s).*(^|[^A-Za-z0-9_.])" + java.util.regex.Pattern.quote(library.getKey()) + ".*")) {
                    minor = Math.max(minor, library.getValue());
                }
            }
        }
        return minor;
    }

    private static void collectRules(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("x-kubernetes-validations")) {
                    e.getValue().forEach(v -> {
                        out.add(v.path("rule").asText());
                        if (v.has("messageExpression")) {
                            out.add(v.path("messageExpression").asText());
                        }
                    });
                } else {
                    collectRules(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectRules(child, out));
        }
    }
}
