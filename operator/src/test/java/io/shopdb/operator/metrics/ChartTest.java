package io.shopdb.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** helm lint and helm template of helm/shopdb-operator, with the rendered objects checked as data. */
class ChartTest {
    static final Path CHART = Path.of("helm/shopdb-operator");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> render(UnaryOperator<TemplateCommand> values) throws IOException {
        String out = values.apply(new Helm(CHART).template().withName("shopdb").withNamespace("shopdb-system").withKubeVersion("1.30.0")).call();
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(out)) {
            var it = YAML.readValues(p, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && n.has("kind")) docs.add(n);
            }
        }
        return docs;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    @Test
    void lintsStrict() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
    }

    @Test
    void theDeploymentPassesTheRestrictedPodSecurityProfile() throws IOException {
        JsonNode deployment = ofKind(render(t -> t), "Deployment").get(0);
        JsonNode pod = deployment.at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertFalse(pod.has("hostNetwork") || pod.has("hostPID") || pod.has("hostIPC"));
        for (JsonNode c : pod.get("containers")) {
            JsonNode sc = c.get("securityContext");
            assertFalse(sc.get("allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation");
            assertTrue(sc.get("readOnlyRootFilesystem").asBoolean(), "readOnlyRootFilesystem");
            assertEquals("[\"ALL\"]", sc.at("/capabilities/drop").toString());
            assertFalse(sc.at("/capabilities").has("add"));
            assertFalse(sc.path("privileged").asBoolean(false));
            assertEquals("/q/health/live", c.at("/livenessProbe/httpGet/path").asText());
            assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText());
            assertEquals(8080, c.at("/ports/0/containerPort").asInt());
            assertTrue(c.at("/resources/requests").has("memory"));
            assertTrue(c.at("/resources/limits").has("memory"));
        }
    }

    @Test
    void clusterWideModeGrantsExactlyTheCallsTheOperatorMakes() throws IOException {
        List<JsonNode> docs = render(t -> t);
        assertTrue(ofKind(docs, "Role").stream().allMatch(r -> r.at("/metadata/name").asText().endsWith("-leader-election")));
        Map<String, JsonNode> clusterRoles = ofKind(docs, "ClusterRole").stream().collect(Collectors.toMap(r -> r.at("/metadata/name").asText(), r -> r));
        assertEquals(2, ofKind(docs, "ClusterRoleBinding").size());
        assertEquals(ApiCalls.namespaced(), ApiCalls.grants(clusterRoles.get("shopdb-shopdb-operator")));
        assertEquals(ApiCalls.nodes(), ApiCalls.grants(clusterRoles.get("shopdb-shopdb-operator-nodes")));
        assertEquals(2, clusterRoles.size());
        JsonNode leader = ofKind(docs, "Role").get(0);
        assertEquals("shopdb-system", leader.at("/metadata/namespace").asText());
        assertEquals(ApiCalls.leaderElection(), ApiCalls.grants(leader));
        assertFalse(env(docs).containsKey("QUARKUS_OPERATOR_SDK_NAMESPACES"), "cluster-wide: watch all namespaces");
    }

    @Test
    void namespacedModeHasARolePerWatchedNamespaceAndNothingClusterWide() throws IOException {
        List<JsonNode> docs = render(t -> t.set("watchNamespaces[0]", "shop").set("watchNamespaces[1]", "staging").set("nodeDrains", "false"));
        assertTrue(ofKind(docs, "ClusterRole").isEmpty());
        assertTrue(ofKind(docs, "ClusterRoleBinding").isEmpty());
        // with drains on (the default), Nodes alone are read cluster-wide
        List<JsonNode> withDrains = render(t -> t.set("watchNamespaces[0]", "shop"));
        assertEquals(1, ofKind(withDrains, "ClusterRole").size());
        assertEquals(ApiCalls.nodes(), ApiCalls.grants(ofKind(withDrains, "ClusterRole").get(0)));
        Map<String, JsonNode> roles = ofKind(docs, "Role").stream()
                .filter(r -> !r.at("/metadata/name").asText().endsWith("-leader-election"))
                .collect(Collectors.toMap(r -> r.at("/metadata/namespace").asText(), r -> r));
        assertEquals(Set.of("shop", "staging"), roles.keySet());
        for (JsonNode role : roles.values()) {
            assertEquals(ApiCalls.namespaced(), ApiCalls.grants(role));
        }
        Set<String> bound = ofKind(docs, "RoleBinding").stream().map(b -> b.at("/metadata/namespace").asText()).collect(Collectors.toSet());
        assertEquals(Set.of("shop", "staging", "shopdb-system"), bound);
        assertEquals("shop,staging", env(docs).get("QUARKUS_OPERATOR_SDK_NAMESPACES"));
    }

    @Test
    void theOperatorAndItsAgentJobsRunTheChartsAppVersionNeverLatest() throws IOException {
        String appVersion = YAML.readTree(CHART.resolve("Chart.yaml").toFile()).get("appVersion").asText();
        List<JsonNode> docs = render(t -> t);
        String image = ofKind(docs, "Deployment").get(0).at("/spec/template/spec/containers/0/image").asText();
        assertEquals("ghcr.io/shopdb/shopdb-operator:" + appVersion, image);
        assertEquals(image, env(docs).get("SHOPDB_AGENT_IMAGE"), "agent Jobs use the operator's own image");

        List<JsonNode> pinned = render(t -> t.set("image.tag", "1.2.3"));
        assertEquals("ghcr.io/shopdb/shopdb-operator:1.2.3", env(pinned).get("SHOPDB_AGENT_IMAGE"));
        List<JsonNode> own = render(t -> t.set("agent.image", "registry.example/agent:2.0"));
        assertEquals("registry.example/agent:2.0", env(own).get("SHOPDB_AGENT_IMAGE"));
        assertThrows(Exception.class, () -> render(t -> t.set("agent.image", "registry.example/agent:latest")));
        assertThrows(Exception.class, () -> render(t -> t.set("agent.image", "registry.example/agent")));
    }

    @Test
    void moreThanOneReplicaRequiresLeaderElection() throws IOException {
        assertThrows(Exception.class, () -> render(t -> t.set("replicas", 2).set("leaderElection.enabled", false)));
        List<JsonNode> docs = render(t -> t.set("replicas", 2));
        assertEquals(2, ofKind(docs, "Deployment").get(0).at("/spec/replicas").asInt());
        assertEquals("true", env(docs).get("SHOPDB_LEADER_ELECTION_ENABLED"));
    }

    @Test
    void serviceMonitorAndAlertsOnlyWhenAskedAndAlertsUseExportedMetrics() throws IOException {
        List<JsonNode> plain = render(t -> t);
        assertTrue(ofKind(plain, "ServiceMonitor").isEmpty());
        assertTrue(ofKind(plain, "PrometheusRule").isEmpty());
        // labels given (as kube-prometheus-stack's ruleSelector needs): they go to metadata, every alert stays in the rules
        List<JsonNode> docs = render(t -> t.set("metrics.serviceMonitor.enabled", true).set("metrics.prometheusRule.enabled", true)
                .set("metrics.prometheusRule.labels.release", "prom"));
        assertEquals("prom", ofKind(docs, "PrometheusRule").get(0).at("/metadata/labels/release").asText());
        JsonNode monitor = ofKind(docs, "ServiceMonitor").get(0);
        assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());
        assertEquals("http", monitor.at("/spec/endpoints/0/port").asText());
        assertTrue(monitor.at("/spec/endpoints/0/honorLabels").asBoolean(),
                "honorLabels keeps the series' own namespace label (not exported_namespace)");
        Set<String> documented = MetricsDoc.names();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode rule : ofKind(docs, "PrometheusRule").get(0).at("/spec/groups/0/rules")) {
            alerts.add(rule.get("alert").asText());
            for (String annotation : List.of("summary", "description", "runbook")) {
                assertFalse(rule.at("/annotations/" + annotation).asText().isBlank(), rule.get("alert") + " " + annotation);
            }
            Set<String> used = PromQl.metricNames(rule.get("expr").asText());
            assertFalse(used.isEmpty(), rule.get("expr").asText());
            assertTrue(documented.containsAll(used), rule.get("alert") + " uses " + used + ", docs/metrics.md lists " + documented);
        }
        assertTrue(alerts.containsAll(Set.of("ShopdbReconcileErrors", "ShopdbDatabaseDown", "ShopdbConnectionsNearLimit",
                "ShopdbReplicationLag", "ShopdbXidWraparoundRisk", "ShopdbLongTransaction", "ShopdbBackupMissing",
                "ShopdbRestoreDrillFailed", "ShopdbRestoreFailed", "ShopdbMigrationFailed",
                "ShopdbNoPartitionAhead", "ShopdbRowsInDefaultPartition", "ShopdbPoolerDown", "ShopdbPoolerClientsWaiting", "ShopdbQueryBudgetExceeded", "ShopdbQueryPlanChanged",
                "ShopdbQueryBudgetCheckFailed", "ShopdbBackupEncryptionKeyProblem",
                "ShopdbStandbyNotStreaming", "ShopdbStandbyLagging", "ShopdbStandbyPromoted")), alerts.toString());
    }

    @Test
    void theDashboardIsAGrafanaConfigMapOverExportedMetrics() throws IOException {
        JsonNode cm = ofKind(render(t -> t), "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().endsWith("-dashboard")).findFirst().orElseThrow();
        assertEquals("1", cm.at("/metadata/labels/grafana_dashboard").asText());
        JsonNode dashboard = new ObjectMapper().readTree(cm.at("/data/shopdb-operator.json").asText());
        Set<String> documented = MetricsDoc.names();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Set<String> used = PromQl.metricNames(target.get("expr").asText());
                assertTrue(documented.containsAll(used), panel.get("title") + " uses " + used);
            }
        }
    }

    @Test
    void theChartCarriesTheGeneratedCrdsUnchanged() throws IOException {
        List<String> generated;
        try (Stream<Path> s = Files.list(Path.of("crds"))) {
            generated = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> inChart;
        try (Stream<Path> s = Files.list(CHART.resolve("crds"))) {
            inChart = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(generated, inChart, "copy crds/*.yml to helm/shopdb-operator/crds/");
        for (String name : generated) {
            assertEquals(Files.readString(Path.of("crds", name)), Files.readString(CHART.resolve("crds").resolve(name)),
                    name + " differs: copy crds/*.yml to helm/shopdb-operator/crds/");
        }
    }

    private static Map<String, String> env(List<JsonNode> docs) {
        Map<String, String> env = new java.util.HashMap<>();
        for (JsonNode e : ofKind(docs, "Deployment").get(0).at("/spec/template/spec/containers/0/env")) {
            env.put(e.get("name").asText(), e.path("value").asText(null));
        }
        return env;
    }

    /** docs/api-calls.txt as (group, resource, verb) triples. */
    static final class ApiCalls {
        static Set<String> all() throws IOException {
            Set<String> out = new TreeSet<>();
            for (String line : Files.readAllLines(Path.of("docs/api-calls.txt"))) {
                String data = line.replaceAll("#.*", "").trim();
                if (data.isEmpty()) continue;
                String[] f = data.split("\\s+");
                String group = f[0].equals("\"\"") ? "" : f[0];
                for (int i = 2; i < f.length; i++) out.add(group + " " + f[1] + " " + f[i]);
            }
            return out;
        }

        static Set<String> leaderElection() throws IOException {
            return all().stream().filter(t -> t.startsWith("coordination.k8s.io ")).collect(Collectors.toCollection(TreeSet::new));
        }

        /** Nodes are cluster-scoped: a ClusterRole of their own, in both modes. */
        static Set<String> nodes() throws IOException {
            return all().stream().filter(t -> t.startsWith(" nodes ")).collect(Collectors.toCollection(TreeSet::new));
        }

        static Set<String> namespaced() throws IOException {
            Set<String> s = all();
            s.removeAll(leaderElection());
            s.removeAll(nodes());
            return s;
        }

        static Set<String> grants(JsonNode role) {
            Set<String> out = new TreeSet<>();
            for (JsonNode rule : role.get("rules")) {
                for (JsonNode g : rule.get("apiGroups")) for (JsonNode r : rule.get("resources")) for (JsonNode v : rule.get("verbs")) {
                    assertFalse(r.asText().equals("*") || v.asText().equals("*") || g.asText().equals("*"), "no wildcards");
                    out.add(g.asText() + " " + r.asText() + " " + v.asText());
                }
            }
            return out;
        }
    }

    /** Metric names in docs/metrics.md: the first backticked word of each table row. */
    static final class MetricsDoc {
        static Set<String> names() throws IOException {
            Set<String> out = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`").matcher(Files.readString(Path.of("docs/metrics.md")));
            while (m.find()) out.add(m.group(1));
            return out;
        }
    }

    /**
     * Metric names in a PromQL expression, by a deliberately simple scan: drop strings, label matchers,
     * ranges and grouping label lists, then every identifier that is not a function call, keyword or
     * number is a metric name. Enough for the expressions this chart writes.
     */
    static final class PromQl {
        private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
                "and", "or", "unless", "bool", "offset", "inf", "nan", "e");

        static Set<String> metricNames(String expr) {
            String s = expr.replaceAll("\"(\\\\.|[^\"])*\"", "\"\"")
                    .replaceAll("\\{[^}]*}", " ")
                    .replaceAll("\\[[^]]*]", " ")
                    .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
            Set<String> out = new TreeSet<>();
            Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?").matcher(s);
            while (m.find()) {
                String name = m.group(1);
                if (m.group(2) != null || KEYWORDS.contains(name.toLowerCase())) continue;
                if (m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1))) continue; // 1e9
                out.add(name);
            }
            return out;
        }
    }
}
