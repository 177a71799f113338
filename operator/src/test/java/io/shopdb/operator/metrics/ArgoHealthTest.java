package io.shopdb.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs helm/shopdb-operator/argocd/health.lua the way Argo CD does: the resource as a Lua table in the
 * global {@code obj}, the script returns {@code hs} with status and message.
 */
class ArgoHealthTest {
    static final Path SCRIPT = Path.of("helm/shopdb-operator/argocd/health.lua");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final String[] KINDS = {"PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler", "PostgresMajorUpgrade", "PostgresImageCatalog"};

    record Health(String status, String message) {}

    static Health run(String yaml) throws Exception {
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", toLua(YAML.readTree(yaml)));
        LuaValue hs = globals.load(Files.readString(SCRIPT), "health.lua").call();
        return new Health(hs.get("status").tojstring(), hs.get("message").isnil() ? null : hs.get("message").tojstring());
    }

    /** JSON → Lua the way Argo CD converts unstructured objects: arrays become 1-based tables. */
    static LuaValue toLua(JsonNode n) {
        if (n == null || n.isNull()) return LuaValue.NIL;
        if (n.isBoolean()) return LuaValue.valueOf(n.booleanValue());
        if (n.isIntegralNumber()) return LuaValue.valueOf(n.longValue());
        if (n.isNumber()) return LuaValue.valueOf(n.doubleValue());
        if (n.isTextual()) return LuaValue.valueOf(n.textValue());
        LuaTable t = new LuaTable();
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) t.set(i + 1, toLua(n.get(i)));
            return t;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            t.set(e.getKey(), toLua(e.getValue()));
        }
        return t;
    }

    static String resource(String kind, long generation, String status) {
        return """
                apiVersion: shopdb.io/v1alpha1
                kind: %s
                metadata: {name: shop, namespace: prod, generation: %d}
                spec: {clusterRef: {name: shop}}
                """.formatted(kind, generation) + (status == null ? "" : "status:\n" + status.indent(2));
    }

    static String conditions(long observed, String ready, String reconciling, String stalled, String reason, String message) {
        return """
                observedGeneration: %d
                phase: X
                conditions:
                - {type: Ready, status: "%s", reason: %s, message: "%s", observedGeneration: %d}
                - {type: Reconciling, status: "%s", reason: %s, message: "%s", observedGeneration: %d}
                - {type: Stalled, status: "%s", reason: %s, message: "%s", observedGeneration: %d}
                """.formatted(observed, ready, reason, message, observed, reconciling, reason, message, observed,
                stalled, reason, message, observed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler"})
    void progressingBeforeTheFirstReconcile(String kind) throws Exception {
        assertEquals("Progressing", run(resource(kind, 1, null)).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler"})
    void healthyWhenReady(String kind) throws Exception {
        Health h = run(resource(kind, 3, conditions(3, "True", "False", "False", "Ready", "Primary answers")));
        assertEquals(new Health("Healthy", "Ready: Primary answers"), h);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler"})
    void degradedWithTheStalledMessage(String kind) throws Exception {
        Health h = run(resource(kind, 2, conditions(2, "False", "False", "True", "InvalidSpec", "spec.instances must be 1..9")));
        assertEquals(new Health("Degraded", "InvalidSpec: spec.instances must be 1..9"), h);
    }

    @Test
    void reconcilingIsProgressingWithItsReason() throws Exception {
        // First reconcile still running: observedGeneration has not advanced yet (absent in status).
        String status = conditions(0, "False", "True", "False", "WaitingForInstances", "0/1 instances ready")
                .replace("observedGeneration: 0\nphase", "phase");
        Health h = run(resource("PostgresCluster", 1, status));
        assertEquals(new Health("Progressing", "WaitingForInstances: 0/1 instances ready"), h);
        // Same generation observed, but a retryable problem later on (server down).
        h = run(resource("PostgresCluster", 1, conditions(1, "False", "True", "False", "ServerUnreachable", "connection refused")));
        assertEquals(new Health("Progressing", "ServerUnreachable: connection refused"), h);
    }

    @Test
    void aSpecChangeNotObservedYetIsProgressingEvenIfTheOldVerdictWasReadyOrStalled() throws Exception {
        assertEquals("Progressing", run(resource("PostgresRole", 5, conditions(4, "True", "False", "False", "Ready", "ok"))).status());
        assertEquals("Progressing", run(resource("PostgresRole", 5, conditions(4, "False", "False", "True", "Conflict", "x"))).status());
    }

    @Test
    void aSuspendedScheduleIsSuspendedButStalledStillWins() throws Exception {
        String ready = conditions(1, "True", "False", "False", "Ready", "ok");
        String suspended = resource("PostgresBackupSchedule", 1, ready).replace("spec: {", "spec: {suspend: true, ");
        assertEquals("Suspended", run(suspended).status());
        String stalled = conditions(1, "False", "False", "True", "InvalidSpec", "bad cron");
        assertEquals("Degraded", run(resource("PostgresBackupSchedule", 1, stalled).replace("spec: {", "spec: {suspend: true, ")).status());
        // suspend means nothing on other kinds
        assertEquals("Healthy", run(resource("PostgresBackup", 1, ready).replace("spec: {", "spec: {suspend: true, ")).status());
    }

    @Test
    void aStandbyIsHealthyWhileItStreamsAndDegradedWhenItStops() throws Exception {
        String ready = conditions(2, "True", "False", "False", "Standby", "Standby of east");
        Health streaming = run(resource("PostgresCluster", 2, ready + "standby: {source: east, streaming: true, lagBytes: 0}"));
        assertEquals(new Health("Healthy", "Standby: Standby of east"), streaming);
        Health cut = run(resource("PostgresCluster", 2, ready + "standby: {source: east, streaming: false, message: \"The source east does not answer\"}"));
        assertEquals(new Health("Degraded", "Standby of east is not streaming from it: The source east does not answer"), cut);
        Health promoted = run(resource("PostgresCluster", 2, conditions(2, "True", "False", "False", "Ready", "2 instance(s) ready")
                + "standby: {source: east, streaming: false, promotedAt: \"2026-12-06T19:00:00Z\"}"));
        assertEquals("Healthy", promoted.status(), "a promoted cluster is a primary cluster");
    }

    @Test
    void aHibernatedClusterIsSuspendedAndAHibernatingOneProgressing() throws Exception {
        Health hibernated = run(resource("PostgresCluster", 3, conditions(3, "True", "False", "False", "Hibernated", "No instance runs (spec.hibernate)")));
        assertEquals(new Health("Suspended", "Hibernated: No instance runs (spec.hibernate)"), hibernated);
        Health stopping = run(resource("PostgresCluster", 3, conditions(2, "False", "True", "False", "Hibernating", "Stopping 2 instance(s)")));
        assertEquals("Progressing", stopping.status());
    }

    @Test
    void theArgoCdConfigPatchCarriesTheScriptForEveryKind() throws Exception {
        JsonNode data = YAML.readTree(Path.of("helm/shopdb-operator/argocd/argocd-cm-patch.yaml").toFile()).get("data");
        String script = Files.readString(SCRIPT);
        assertEquals(KINDS.length, data.size());
        for (String kind : KINDS) {
            JsonNode entry = data.get("resource.customizations.health.shopdb.io_" + kind);
            assertTrue(entry != null, kind);
            assertEquals(script, entry.textValue(), "argocd-cm-patch.yaml is stale for " + kind + ": regenerate it from health.lua");
        }
        assertTrue(Files.readString(Path.of("docs/gitops.md")).contains("argocd-cm-patch.yaml"));
    }
}
