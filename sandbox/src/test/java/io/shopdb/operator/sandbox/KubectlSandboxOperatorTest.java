package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.testing.EmbeddedApiServerResource;
import io.shopdb.operator.testing.Kubectl;
import io.shopdb.operator.testing.OperatorTestBase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real kubectl against the sandbox's API server with the operator running, as a user of the quick start
 * would: apply, get (server-side printer columns from the CRDs), wait for Ready, describe, a refused manifest,
 * delete.
 */
@QuarkusTest
class KubectlSandboxOperatorTest extends OperatorTestBase {
    @EmbeddedApiServerResource.ApiServer
    EmbeddedApiServer api;

    @Test
    void kubectlAppliesGetsWaitsDescribesAndDeletes() throws Exception {
        Assumptions.assumeTrue(Kubectl.available(), Kubectl.missingMessage());
        Path dir = Files.createTempDirectory("kubectl-sandbox-");
        Kubectl kubectl = new Kubectl(api.writeKubeconfig(dir.resolve("kubeconfig"), ns()), dir.resolve("cache"));
        Path manifests = Files.writeString(dir.resolve("shop.yaml"), """
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: kc-db}
                spec: {instances: 1}
                ---
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: kc-app}
                spec: {clusterRef: {name: kc-db}, name: kc_app}
                """);

        Kubectl.Result applied = kubectl.run("apply", "-f", manifests.toString());
        assertEquals(0, applied.exitCode(), applied.output());
        assertTrue(applied.output().contains("postgrescluster.shopdb.io/kc-db created"), applied.output());

        Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", "pgc/kc-db", "pgrole/kc-app", "--timeout=180s");
        assertEquals(0, waited.exitCode(), waited.output());
        assertTrue(waited.output().contains("postgrescluster.shopdb.io/kc-db condition met"), waited.output());

        Kubectl.Result clusters = kubectl.run("get", "pgc");
        assertEquals(0, clusters.exitCode(), clusters.output());
        assertEquals(header("postgresclusters", false), clusters.header());
        assertTrue(clusters.output().lines().skip(1).anyMatch(l -> l.startsWith("kc-db ")), clusters.output());
        Kubectl.Result category = kubectl.run("get", "shopdb");
        assertEquals(0, category.exitCode(), category.output());
        assertTrue(category.output().contains("postgrescluster.shopdb.io/kc-db") && category.output().contains("postgresrole.shopdb.io/kc-app"),
                "the category shopdb lists every kind: " + category.output());
        Kubectl.Result roles = kubectl.run("get", "pgrole", "-o", "wide");
        assertEquals(0, roles.exitCode(), roles.output());
        assertEquals(header("postgresroles", true), roles.header());

        Kubectl.Result described = kubectl.run("describe", "pgc", "kc-db");
        assertEquals(0, described.exitCode(), described.output());
        assertTrue(described.output().matches("(?s)Name:\\s+kc-db\\n.*Kind:\\s+PostgresCluster\\n.*"), described.output());
        // the operator's events.k8s.io Events, listed by kubectl as core Events of the object
        assertTrue(described.output().matches("(?s).*\\nEvents:\\n\\s+Type\\s+Reason\\s+Age\\s+From\\s+Message\\n.*\\n\\s+Normal\\s+Ready\\s.*"), described.output());

        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: kc-bad}
                spec: {instances: 0}
                """);
        Kubectl.Result refused = kubectl.run("apply", "-f", bad.toString());
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("The PostgresCluster \"kc-bad\" is invalid: spec.instances"), refused.output());

        Kubectl.Result deleted = kubectl.run("delete", "-f", manifests.toString(), "--timeout=180s");
        assertEquals(0, deleted.exitCode(), deleted.output());
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.resources(PostgresCluster.class).inNamespace(ns()).withName("kc-db").get() == null);
    }

    /** The header kubectl prints for a CRD's printer columns: NAME, then each column (priority 0 only unless wide). */
    private static List<String> header(String plural, boolean wide) throws Exception {
        List<String> names = new ArrayList<>(List.of("NAME"));
        for (CustomResourceColumnDefinition c : EmbeddedApiServer.loadCrd(plural).getSpec().getVersions().get(0).getAdditionalPrinterColumns()) {
            if (wide || c.getPriority() == null || c.getPriority() == 0) {
                names.add(c.getName().toUpperCase(Locale.ROOT));
            }
        }
        return names;
    }
}
