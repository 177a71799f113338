package io.shopdb.operator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The tests' copy of the sandbox's LocalPostgres (the operator module cannot depend on the sandbox). Finds the local PostgreSQL binaries and the OS user to run them as. initdb refuses to run as root, so
 * when the sandbox runs as root the servers run as the system user {@code postgres}.
 */
public final class LocalPostgres {
    private LocalPostgres() {}

    /** The bin directory holding initdb: PATH first, then the newest /usr/lib/postgresql/N/bin. */
    public static Path binDir() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "initdb"))) {
                try {
                    // follow links (e.g. /usr/local/bin/initdb) to the directory that has all the tools
                    return Paths.get(dir, "initdb").toRealPath().getParent();
                } catch (IOException e) {
                    return Paths.get(dir);
                }
            }
        }
        Path base = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                Optional<Path> newest = versions
                        .filter(p -> p.getFileName().toString().matches("[0-9]+"))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                        .map(p -> p.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("initdb")));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + base, e);
            }
        }
        throw new IllegalStateException("PostgreSQL binaries not found: install postgresql (initdb on PATH or under /usr/lib/postgresql/N/bin)");
    }

    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command prefix that runs a program as the server's OS user. */
    public static List<String> asServerUser() {
        return runningAsRoot() ? List.of("runuser", "-u", "postgres", "--") : List.of();
    }

    /** Makes a directory usable by the server user (owner postgres when we are root). */
    public static void handOver(Path dir) throws IOException {
        if (runningAsRoot()) {
            try {
                new ProcessBuilder("chown", "-R", "postgres:postgres", dir.toString()).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while handing over " + dir, e);
            }
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp dir is not worth failing over
        }
    }
}
