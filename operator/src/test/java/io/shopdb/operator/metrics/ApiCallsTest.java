package io.shopdb.operator.metrics;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/api-calls.txt honest from the code side (ChartTest keeps the chart's RBAC equal to it): the
 * Kubernetes types the operator code builds or addresses through the client DSL must each have a line, and
 * each line must be used by the code, apart from the documented exceptions. A coarse scan by design: it
 * catches a new kind of object, not a new verb (verbs are reviewed with the line).
 */
class ApiCallsTest {
    /** Builder or DSL entry point → "group resource". */
    static final Map<String, String> PATTERNS = Map.ofEntries(
            Map.entry("new ConfigMapBuilder\\(|client\\.configMaps\\(\\)", " configmaps"),
            Map.entry("new ServiceBuilder\\(|client\\.services\\(\\)", " services"),
            Map.entry("new SecretBuilder\\(|client\\.secrets\\(\\)", " secrets"),
            Map.entry("client\\.pods\\(\\)", " pods"),
            Map.entry("client\\.nodes\\(\\)", " nodes"),
            Map.entry("client\\.persistentVolumeClaims\\(\\)", " persistentvolumeclaims"),
            Map.entry("new StatefulSetBuilder\\(|client\\.apps\\(\\)\\.statefulSets\\(\\)", "apps statefulsets"),
            Map.entry("new DeploymentBuilder\\(|client\\.apps\\(\\)\\.deployments\\(\\)", "apps deployments"),
            Map.entry("new PodDisruptionBudgetBuilder\\(|client\\.policy\\(\\)", "policy poddisruptionbudgets"),
            Map.entry("new EventBuilder\\(", "events.k8s.io events"),
            Map.entry("new NetworkPolicyBuilder\\(", "networking.k8s.io networkpolicies"),
            Map.entry("new JobBuilder\\(|client\\.batch\\(\\)", "batch jobs"),
            Map.entry("new LeaseBuilder\\(|client\\.leases\\(\\)", "coordination.k8s.io leases"));
    /** Lines with no call in our code: JOSDK makes them (informers of the seven kinds, the leader Lease) or they are announced. */
    static final Set<String> NOT_IN_OUR_CODE = Set.of("coordination.k8s.io leases", "batch jobs");

    @Test
    void everyKindOfObjectTheCodeTouchesIsListedAndEveryLineIsUsed() throws IOException {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("operator/src/main/java/io/shopdb/operator"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                    // The sandbox plays kubelet and the agent runs in Jobs: neither runs with the operator's RBAC.
                    .filter(p -> !p.toString().contains("/sandbox/") && !p.toString().contains("/agent/")).toList()) {
                String code = Files.readString(f);
                PATTERNS.forEach((regex, pair) -> {
                    if (Pattern.compile(regex).matcher(code).find()) used.add(pair);
                });
                Matcher m = Pattern.compile("resources\\((Postgres[A-Za-z]+)\\.class\\)").matcher(code);
                while (m.find()) used.add("shopdb.io " + m.group(1).toLowerCase() + "s");
            }
        }
        Set<String> listed = new TreeSet<>();
        for (String triple : ChartTest.ApiCalls.all()) {
            String[] f = triple.split(" ", -1);
            if (!f[1].contains("/")) listed.add(f[0] + " " + f[1]);
        }
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "the code touches these but docs/api-calls.txt (and so the chart's RBAC) does not grant them");
        for (String line : listed) {
            boolean informer = line.startsWith("shopdb.io ");
            assertTrue(used.contains(line) || informer || NOT_IN_OUR_CODE.contains(line), line + " is granted but not used: remove it");
        }
    }
}
