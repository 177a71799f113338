package io.shopdb.operator.realkube;

import io.shopdb.operator.testing.Kubectl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real control plane the *KubeTest classes run against (scripts/kube-control-plane.sh: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler built from their Go modules), started once per test JVM and stopped when
 * it ends. SHOPDB_KUBECONFIG names one already running instead (it is then left running).
 */
public final class RealControlPlane {
    private static final Path DIR = Path.of("target/kube-control-plane").toAbsolutePath();
    private static RealControlPlane started;

    private final Path kubeconfig;
    private final Path pki;

    private RealControlPlane(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
        this.pki = kubeconfig.getParent().resolve("pki");
    }

    /** The running control plane, started (and its binaries built, the first time on a machine) on first use. */
    public static synchronized RealControlPlane get() throws IOException, InterruptedException {
        if (started != null) {
            return started;
        }
        String given = System.getenv("SHOPDB_KUBECONFIG");
        if (given != null && !given.isBlank()) {
            started = new RealControlPlane(Path.of(given));
            return started;
        }
        script("down", DIR.toString()); // a control plane an interrupted run left behind
        String out = script("up", DIR.toString());
        String last = out.lines().reduce((a, b) -> b).orElse("");
        if (!last.endsWith("kubeconfig") || !Files.exists(Path.of(last))) {
            throw new IllegalStateException("scripts/kube-control-plane.sh up did not start:\n" + out);
        }
        started = new RealControlPlane(Path.of(last));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                script("down", DIR.toString());
            } catch (Exception e) {
                System.err.println("stopping the control plane: " + e);
            }
        }));
        return started;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The API server's URL, from the kubeconfig. */
    public String server() throws IOException {
        return Files.readAllLines(kubeconfig).stream().map(String::trim).filter(l -> l.startsWith("server: "))
                .map(l -> l.substring("server: ".length())).findFirst().orElseThrow();
    }

    /** The CA that signed the API server's certificate. */
    public Path ca() {
        return pki.resolve("ca.crt");
    }

    /** kubectl as the admin (system:masters), with a discovery cache of its own. */
    public Kubectl kubectl(Path cacheDir) {
        return new Kubectl(kubeconfig, cacheDir);
    }

    private static String script(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/kube-control-plane.sh"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        // the first run on a machine builds the binaries
        if (!p.waitFor(60, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("scripts/kube-control-plane.sh " + String.join(" ", args) + " did not end");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("$ scripts/kube-control-plane.sh " + String.join(" ", args) + "\n" + text);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("scripts/kube-control-plane.sh " + String.join(" ", args) + " failed:\n" + text);
        }
        return text;
    }
}
