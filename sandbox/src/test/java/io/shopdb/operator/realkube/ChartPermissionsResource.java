package io.shopdb.operator.realkube;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.shopdb.operator.testing.Kubectl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator under test talks to the real control plane with the Helm chart's permissions and nothing more: the
 * CRDs applied by kubectl, the chart installed by helm (its Deployment's pod never runs: no node here runs
 * images), and the operator process (this test JVM) holding a token of the chart's ServiceAccount. A verb the chart
 * forgot fails a test here instead of a user.
 */
public class ChartPermissionsResource implements QuarkusTestResourceLifecycleManager {
    static final String RELEASE_NAMESPACE = "shopdb-system";
    /** The release named like the chart, so the ServiceAccount is "shopdb-operator". */
    static final String RELEASE = "shopdb-operator";

    @Override
    public Map<String, String> start() {
        try {
            RealControlPlane real = RealControlPlane.get();
            Path work = Files.createTempDirectory("chart-rbac-");
            Kubectl kubectl = real.kubectl(work.resolve("cache"));
            check(kubectl.run("apply", "-f", "crds/"));
            check(kubectl.run("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"));
            Path helm = Kubectl.binary().getParent().getParent().resolve("helm").resolve("helm");
            run(List.of(helm.toString(), "upgrade", "--install", RELEASE, "helm/shopdb-operator", "--namespace", RELEASE_NAMESPACE,
                    "--create-namespace", "--kubeconfig", real.kubeconfig().toString()));
            // not through Kubectl.run, which prints what it ran and answered: a token stays out of the test log
            Process p = new ProcessBuilder(Kubectl.binary().toString(), "--kubeconfig", real.kubeconfig().toString(),
                    "create", "token", RELEASE, "-n", RELEASE_NAMESPACE, "--duration=2h").start();
            String bearer = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || bearer.isEmpty()) {
                throw new IllegalStateException("kubectl create token " + RELEASE + ": " + new String(p.getErrorStream().readAllBytes()));
            }
            // fabric8's own settings, read when a client is built (the extension fixes its URL at build time)
            System.setProperty("kubernetes.master", real.server());
            System.setProperty("kubernetes.auth.token", bearer);
            System.setProperty("kubernetes.certs.ca.file", real.ca().toString());
            System.setProperty("kubernetes.namespace", "default");
            System.setProperty("kubernetes.auth.tryKubeConfig", "false");
            System.setProperty("kubernetes.auth.tryServiceAccount", "false");
            return Map.of(
                    "quarkus.kubernetes-client.api-server-url", real.server(),
                    "quarkus.kubernetes-client.token", bearer,
                    "quarkus.kubernetes-client.ca-cert-file", real.ca().toString(),
                    "quarkus.kubernetes-client.namespace", "default",
                    // the chart cannot write CRDs, and an operator in a cluster never does
                    "quarkus.operator-sdk.crd.apply", "false");
        } catch (Exception e) {
            throw new IllegalStateException("the real control plane with the chart installed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // RealControlPlane stops with the JVM
    }

    static void check(Kubectl.Result r) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(r.output());
        }
    }

    static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ":\n" + out);
        }
        System.out.println("$ " + String.join(" ", command) + "\n" + out);
    }
}
