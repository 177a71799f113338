package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.AgentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The folder where an instance's shell script and an agent sidecar meet ({@link WalArchiver} with archive-wal.sh,
 * {@link WalFetcher} with restore-wal.sh): bootstrap.sh makes it as the server's user; the sidecar makes its subfolders
 * and writes each answer (temp file, then rename, so a script never reads half of one) with that same owner, so the
 * script can take an answer even where the sidecar runs as another user (the sandbox).
 */
final class Handoff {
    static final Duration POLL = Duration.ofMillis(50);
    private static final System.Logger LOG = System.getLogger(Handoff.class.getName());

    private final Path root;
    private final String name;

    /** @param name the sidecar, for threads and log lines */
    Handoff(Path root, String name) {
        this.root = root;
        this.name = name;
    }

    Path resolve(String sub, String file) {
        return root.resolve(sub).resolve(file);
    }

    /** A daemon thread pool for the sidecar's transfers. */
    ExecutorService workers(int parallel) {
        return Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Waits for bootstrap.sh's folder, makes {@code subfolders}, then runs {@code pass} every {@link #POLL} until
     * {@code stop} says so (a failed pass is logged and the next one tries again); {@code workers} stop with it.
     */
    void serve(Supplier<Boolean> stop, String[] subfolders, Runnable pass, ExecutorService workers, String started) {
        while (!Files.isDirectory(root) && !stop.get()) {
            sleepPoll();
        }
        prepare(subfolders);
        LOG.log(System.Logger.Level.INFO, "{0}: {1}", name, started);
        while (!stop.get()) {
            try {
                pass.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}", name, e.getMessage());
            }
            if (!sleepPoll()) {
                break;
            }
        }
        workers.shutdownNow();
    }

    void prepare(String... subfolders) {
        try {
            var owner = Files.getOwner(root);
            for (String sub : subfolders) {
                Path dir = Files.createDirectories(root.resolve(sub));
                if (!Files.getOwner(dir).equals(owner)) {
                    Files.setOwner(dir, owner);
                }
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot prepare the handoff directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code <kind>/<file>} atomically, owned as the folder is; a failure is logged (the script waits, then retries). */
    void answer(String kind, String file, byte[] content) {
        Path target = resolve(kind, file);
        Path tmp = resolve(kind, "." + file + ".tmp");
        try {
            Files.write(tmp, content);
            var owner = Files.getOwner(root);
            if (!Files.getOwner(tmp).equals(owner)) {
                Files.setOwner(tmp, owner);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot write {1}: {2}", name, target, e.getMessage());
        }
    }

    private static boolean sleepPoll() {
        try {
            Thread.sleep(POLL.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
