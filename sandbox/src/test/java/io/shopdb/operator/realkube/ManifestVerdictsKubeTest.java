package io.shopdb.operator.realkube;

import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.testing.Kubectl;
import io.shopdb.operator.testing.RepoFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real kube-apiserver judges the embedded one: every example and every manifest of the test catalogs (bad
 * manifests, hostile manifests) goes through {@code kubectl apply --dry-run=server} against both, with the CRDs
 * installed by kubectl. Where the verdicts differ, docs/real-control-plane.md says why (or the embedded server is
 * fixed); a difference nobody wrote down fails, and so does a documented one that went away.
 */
class ManifestVerdictsKubeTest {
    static final Path DOC = Path.of("docs/real-control-plane.md");
    static final List<Path> CATALOGS = List.of(Path.of("examples"), Path.of("sandbox/src/test/resources/bad-manifests"),
            Path.of("sandbox/src/test/resources/hostile"));

    static RealControlPlane real;
    static Kubectl realKubectl;
    static EmbeddedApiServer embedded;
    static Kubectl embeddedKubectl;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Kubectl.available(), Kubectl.missingMessage());
        real = RealControlPlane.get();
        Path work = Files.createTempDirectory("verdicts-");
        realKubectl = real.kubectl(work.resolve("real-cache"));
        Kubectl.Result crds = realKubectl.run("apply", "-f", "crds/");
        assertEquals(0, crds.exitCode(), crds.output());
        Kubectl.Result established = realKubectl.run("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
        assertEquals(0, established.exitCode(), established.output());
        embedded = EmbeddedApiServer.start(0);
        embeddedKubectl = new Kubectl(embedded.writeKubeconfig(work.resolve("embedded-kubeconfig"), "default"), work.resolve("embedded-cache"));
    }

    @AfterAll
    static void stop() {
        if (embedded != null) {
            embedded.close();
        }
    }

    /** accepted, or refused with kubectl's first line of why. */
    record Verdict(boolean accepted, String why) {
        static Verdict of(Kubectl.Result r) {
            String why = r.output().lines().filter(l -> l.contains("rror") || l.contains("nvalid") || l.contains("denied"))
                    .findFirst().orElse(r.output().strip());
            return new Verdict(r.exitCode() == 0, r.exitCode() == 0 ? "" : why);
        }

        String word() {
            return accepted ? "accepted" : "refused";
        }
    }

    @Test
    void everyCatalogManifestGetsTheSameVerdictFromBothApiServersOrTheDocsSayWhy() throws Exception {
        Map<String, String> differences = new TreeMap<>();
        int compared = 0;
        StringBuilder report = new StringBuilder("| manifest | real kube-apiserver | embedded |\n|---|---|---|\n");
        StringBuilder wording = new StringBuilder("\n## Same verdict, other words\n\n| manifest | real kube-apiserver | embedded |\n|---|---|---|\n");
        int reworded = 0;
        for (Path catalog : CATALOGS) {
            for (Path file : RepoFiles.yamlFiles(catalog)) {
                if (file.toString().contains("/migrations/")) {
                    continue; // SQL scripts' folder
                }
                Verdict onReal = Verdict.of(realKubectl.run("apply", "--dry-run=server", "-f", file.toString()));
                Verdict onEmbedded = Verdict.of(embeddedKubectl.run("apply", "--dry-run=server", "-f", file.toString()));
                compared++;
                if (onReal.accepted() != onEmbedded.accepted()) {
                    differences.put(file.toString(), onReal.word() + " / " + onEmbedded.word());
                    report.append("| `").append(file).append("` | ").append(onReal.word()).append(": ").append(onReal.why())
                            .append(" | ").append(onEmbedded.word()).append(": ").append(onEmbedded.why()).append(" |\n");
                } else if (!onReal.why().equals(onEmbedded.why())) {
                    reworded++;
                    wording.append("| `").append(file).append("` | ").append(onReal.why()).append(" | ").append(onEmbedded.why()).append(" |\n");
                }
            }
        }
        Files.createDirectories(Path.of("target/kube"));
        Files.writeString(Path.of("target/kube/manifest-verdicts.md"), report.append(wording));
        System.out.println(compared + " manifests compared; " + differences.size() + " verdicts differ; " + reworded
                + " refusals worded differently (target/kube/manifest-verdicts.md)");
        assertTrue(compared > 100, "compared the catalogs (" + compared + " files)");
        assertEquals(documented(), differences, "differences (real / embedded) against docs/real-control-plane.md;"
                + " the full report: target/kube/manifest-verdicts.md");
    }

    @Test
    void serverSideApplyOfTheShopIsAcceptedAndAppliesTwiceWithoutConflict() throws Exception {
        Kubectl.Result ns = realKubectl.run("create", "namespace", "ssa-shop");
        assertEquals(0, ns.exitCode(), ns.output());
        for (int round = 0; round < 2; round++) {
            Kubectl.Result applied = realKubectl.run("apply", "--server-side", "--field-manager=argocd-controller",
                    "-n", "ssa-shop", "-f", "examples/shop/00-cluster.yaml", "-f", "examples/shop/10-database.yaml",
                    "-f", "examples/shop/20-roles.yaml", "-f", "examples/shop/40-pooler.yaml");
            assertEquals(0, applied.exitCode(), applied.output());
            assertTrue(applied.output().contains("serverside-applied"), applied.output());
        }
        Kubectl.Result managers = realKubectl.run("get", "pgc", "-n", "ssa-shop", "-o", "jsonpath={.items[0].metadata.managedFields[*].manager}",
                "--show-managed-fields");
        assertEquals(0, managers.exitCode(), managers.output());
        assertTrue(managers.output().contains("argocd-controller"), managers.output());
        Kubectl.Result deleted = realKubectl.run("delete", "namespace", "ssa-shop", "--wait=true", "--timeout=120s");
        assertEquals(0, deleted.exitCode(), deleted.output());
    }

    /** The table of docs/real-control-plane.md, "Verdicts that differ": manifest -> "real / embedded". */
    static Map<String, String> documented() throws IOException {
        Map<String, String> out = new TreeMap<>();
        String doc = Files.readString(DOC);
        int start = doc.indexOf("## Verdicts that differ");
        assertTrue(start >= 0, DOC + " has a section \"## Verdicts that differ\"");
        int end = doc.indexOf("\n## ", start + 3);
        Matcher m = Pattern.compile("(?m)^\\| `([^`]+)` \\| (accepted|refused) \\| (accepted|refused) \\|")
                .matcher(doc.substring(start, end < 0 ? doc.length() : end));
        while (m.find()) {
            out.put(m.group(1), m.group(2) + " / " + m.group(3));
        }
        return out;
    }
}
