package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.runtime.QuarkusApplication;
import io.shopdb.operator.sandbox.admission.CrdCatalog;
import io.shopdb.operator.sandbox.admission.ManifestValidator;
import io.shopdb.operator.sandbox.admission.Violation;
import io.shopdb.operator.sandbox.admission.YamlDocuments;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code sandbox [--once] [--timeout 180s] [--kubeconfig PATH] [--restart-operator-every 30s] DIR}: admits and applies
 * every manifest under DIR,
 * runs the operator and the local runner, writes a kubeconfig for kubectl (default: in the sandbox's temp dir,
 * removed on exit), prints a table of kind/name/Ready/reason whenever it changes and a ready {@code psql}
 * command for each role connection Secret.
 * With --once: exit 0 when all shopdb resources are Ready, 1 when one is Stalled, rejected, or time runs out.
 * With --restart-operator-every: the operator is killed mid-work and replaced that often, as a crash-looping pod is.
 */
public class SandboxCommand implements QuarkusApplication {
    @Inject KubernetesClient client;
    @Inject Sandbox sandbox;
    @Inject io.shopdb.operator.runtime.RunningOperator operator;
    @Inject io.shopdb.operator.sandbox.harness.OperatorInstances instances;
    @Inject LocalKubelet kubelet;
    private volatile boolean stopping;

    @Override
    public int run(String... args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sandbox: " + e.getMessage());
            System.err.println("usage: sandbox [--once] [--timeout 180s] [--kubeconfig PATH] [--restart-operator-every 30s] DIR");
            return 2;
        }
        PrintStream out = System.out;
        // Ctrl-C (SIGINT/SIGTERM) runs JVM shutdown hooks while this loop is still going: stop the servers
        // and remove the temp dir right there, then let the loop end.
        Thread main = Thread.currentThread();
        Thread onSignal = new Thread(() -> {
            stopping = true;
            sandbox.stop();
            main.interrupt();
        }, "sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        sandbox.start();
        operator.ensureStarted();
        try {
            Path kubeconfig = EmbeddedApiServer.writeKubeconfig(
                    options.kubeconfig() != null ? options.kubeconfig() : sandbox.root().resolve("kubeconfig"),
                    client.getConfiguration().getMasterUrl(), "default");
            out.println("sandbox: kubectl works against this sandbox: export KUBECONFIG=" + kubeconfig.toAbsolutePath()
                    + "   (then e.g. kubectl get shopdb, kubectl describe pgc NAME)");
            List<String> rejected = apply(options.dir(), out);
            try (Views views = new Views(new ConnectionHints(client, kubelet::serviceAddress, kubeconfig.toAbsolutePath()), new StatusTable(client))) {
                return watch(options, out, rejected, views.hints(), views.table());
            }
        } finally {
            sandbox.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or has run
            }
        }
    }

    /** What the sandbox shows while it runs; both read informers, closed when the command ends. */
    private record Views(ConnectionHints hints, StatusTable table) implements AutoCloseable {
        @Override
        public void close() {
            hints.close();
            table.close();
        }
    }

    /** Prints the status table and connection lines as they change; with --once, ends when all are Ready or one fails. */
    private int watch(Options options, PrintStream out, List<String> rejected, ConnectionHints hints, StatusTable table) {
        Instant deadline = Instant.now().plus(options.timeout());
        String last = "";
        Instant nextRestart = options.restartEvery() == null ? null : Instant.now().plus(options.restartEvery());
        int restarts = 0;
        while (!stopping) {
            if (nextRestart != null && Instant.now().isAfter(nextRestart)) {
                instances.restart("sandbox-" + ++restarts);
                out.println("sandbox: operator killed and started afresh (restart " + restarts + ")");
                nextRestart = Instant.now().plus(options.restartEvery());
            }
            StatusTable.Snapshot snapshot = table.snapshot();
            String text = snapshot.render();
            if (!text.equals(last)) {
                out.println(text);
                last = text;
            }
            hints.newLines().forEach(out::println);
            if (options.once()) {
                if (!rejected.isEmpty()) {
                    out.println("sandbox: FAILED: manifests were rejected:\n  " + String.join("\n  ", rejected));
                    return 1;
                }
                if (!snapshot.stalled().isEmpty()) {
                    out.println("sandbox: FAILED: stalled:\n  " + String.join("\n  ", snapshot.stalled()));
                    return 1;
                }
                if (snapshot.allReady()) {
                    out.println("sandbox: all " + snapshot.size() + " resources are Ready");
                    return 0;
                }
                if (Instant.now().isAfter(deadline)) {
                    out.println("sandbox: FAILED: timed out after " + options.timeout().toSeconds() + "s; not ready:\n  "
                            + String.join("\n  ", snapshot.notReady()));
                    return 1;
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                break;
            }
        }
        out.println("sandbox: interrupted, stopped");
        return 130;
    }

    /** Checks each document as an API server would, applies the admitted ones, returns the rejections. */
    private List<String> apply(Path dir, PrintStream out) throws Exception {
        List<String> crds = new ArrayList<>();
        for (String plural : EmbeddedApiServer.CRD_RESOURCES) {
            crds.add(Serialization.asYaml(EmbeddedApiServer.loadCrd(plural)));
        }
        ManifestValidator validator = new ManifestValidator(CrdCatalog.fromYaml(crds));
        List<String> rejected = new ArrayList<>();
        for (Path kustomization : kustomizations(dir)) {
            rejected.addAll(KustomizeGenerators.apply(client, kustomization, out));
        }
        for (Path file : manifestFiles(dir)) {
            for (YamlDocuments.Document doc : YamlDocuments.parse(Files.readString(file))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> manifest = (Map<String, Object>) doc.content();
                String id = file + ":" + doc.line() + " " + manifest.get("kind") + "/" + name(manifest);
                List<Violation> violations = isOurs(manifest) ? validator.validateCreate(manifest) : List.of();
                if (!violations.isEmpty()) {
                    violations.forEach(v -> rejected.add(id + ": " + v));
                    out.println("sandbox: rejected " + id + ": " + violations);
                    continue;
                }
                GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(isOurs(manifest) ? validator.withDefaults(manifest) : manifest), GenericKubernetesResource.class);
                if (resource.getMetadata().getNamespace() == null) {
                    resource.getMetadata().setNamespace("default");
                }
                client.resource(resource).createOr(existing -> existing.update());
                out.println("sandbox: applied " + id);
            }
        }
        return rejected;
    }

    private static boolean isOurs(Map<String, Object> manifest) {
        return String.valueOf(manifest.get("apiVersion")).startsWith("shopdb.io/");
    }

    @SuppressWarnings("unchecked")
    private static Object name(Map<String, Object> manifest) {
        Object meta = manifest.get("metadata");
        return meta instanceof Map ? ((Map<String, Object>) meta).get("name") : null;
    }

    static List<Path> manifestFiles(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("no such directory: " + dir);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    static List<Path> kustomizations(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
    }

    /**
     * @param restartEvery null, or how often the operator is killed and a fresh instance started in its place
     *                     (a pod restart, {@link io.shopdb.operator.sandbox.harness.OperatorInstances}): manifests must converge anyway
     */
    record Options(boolean once, Duration timeout, Path dir, Path kubeconfig, Duration restartEvery) {
        static Options parse(String... args) {
            boolean once = false;
            Duration timeout = Duration.ofSeconds(180);
            Path dir = null;
            Path kubeconfig = null;
            Duration restartEvery = null;
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--once" -> once = true;
                    case "--timeout" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--timeout needs a value such as 180s");
                        }
                        timeout = parseDuration("--timeout", args[++i]);
                    }
                    case "--restart-operator-every" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--restart-operator-every needs a value such as 30s");
                        }
                        restartEvery = parseDuration("--restart-operator-every", args[++i]);
                        if (restartEvery.isZero()) {
                            throw new IllegalArgumentException("--restart-operator-every must be more than 0s");
                        }
                    }
                    case "--kubeconfig" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--kubeconfig needs a file path");
                        }
                        kubeconfig = Paths.get(args[++i]);
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        if (dir != null) {
                            throw new IllegalArgumentException("one DIR only");
                        }
                        dir = Paths.get(args[i]);
                    }
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("DIR is required");
            }
            return new Options(once, timeout, dir, kubeconfig, restartEvery);
        }

        static Duration parseDuration(String option, String text) {
            if (!text.matches("[0-9]+(s|m)?")) {
                throw new IllegalArgumentException(option + " takes seconds or minutes, e.g. 180s or 3m; got " + text);
            }
            long n = Long.parseLong(text.replaceAll("[sm]$", ""));
            return text.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        }
    }
}
