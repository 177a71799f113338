package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.WalNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The fetch side of a standby cluster's primary (spec.standby.archive): a sidecar that reads the source's WAL archive
 * for the instance's restore_command, the mirror of {@link WalArchiver}. restore-wal.sh asks for a file by creating
 * {@code <handoff>/fetch/<f>}; this loop answers with {@code <handoff>/fetched/<f>} (its content checked against the
 * archived SHA-256, decrypted when the archive is encrypted) or {@code <handoff>/missing/<f>} (not archived yet, or
 * why it cannot be read). PostgreSQL asks for the next file again every few seconds while it is missing and falls back
 * to streaming in between, so a standby replays the archive while the source is unreachable and streams while it is.
 */
public final class WalFetcher {
    private static final System.Logger LOG = System.getLogger(WalFetcher.class.getName());
    private static final String[] FOLDERS = {"fetch", "fetched", "missing"};

    private final WalArchive archive;
    private final Handoff handoff;
    private final Path handoffDir;
    private final ExecutorService workers;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private boolean cleared;

    public WalFetcher(WalArchive archive, Path handoff, int parallel) {
        this.archive = archive;
        this.handoff = new Handoff(handoff, "wal-fetcher");
        this.handoffDir = handoff;
        this.workers = this.handoff.workers(parallel);
    }

    /** Runs until {@code stop} says so (the process runs until the pod ends). */
    public void run(Supplier<Boolean> stop) {
        handoff.serve(stop, FOLDERS, this::pass, workers, "serving " + archive.describe() + " to " + handoffDir);
    }

    /** One look at the requests: each new one is fetched by a worker (the first look clears answers nobody took). */
    void pass() {
        if (!cleared) {
            clearStale();
            cleared = true;
        }
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(handoffDir.resolve("fetch"))) {
            for (Path p : requests) {
                String f = p.getFileName().toString();
                if (WalNames.isWalFile(f) && !answered(f) && busy.add(f)) {
                    workers.submit(() -> fetch(f));
                }
            }
        } catch (NoSuchFileException e) {
            handoff.prepare(FOLDERS);
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + handoffDir.resolve("fetch") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Answers left by an earlier run of this sidecar (a restart mid-transfer): on the data volume they would stay; a
     * restore_command waiting now asks again.
     */
    private void clearStale() {
        for (String sub : new String[] {"fetched", "missing"}) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(handoffDir.resolve(sub))) {
                for (Path p : files) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "wal-fetcher: cannot clear {0}: {1}", handoffDir.resolve(sub), e.getMessage());
            }
        }
    }

    private boolean answered(String f) {
        return Files.exists(handoff.resolve("fetched", f)) || Files.exists(handoff.resolve("missing", f));
    }

    /** Fetches one file; what cannot be read is answered as missing, with the reason, so the server tries streaming. */
    void fetch(String f) {
        try {
            var entry = archive.find(f);
            if (!Files.exists(handoff.resolve("fetch", f))) {
                return; // taken meanwhile (this look raced the script's cleanup): an answer now would lie there for ever
            }
            if (entry.isEmpty()) {
                handoff.answer("missing", f, ("not in " + archive.describe() + " (yet)\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            handoff.answer("fetched", f, archive.read(entry.get()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wal-fetcher: {0}: {1}", f, e.getMessage());
            handoff.answer("missing", f, ("shopdb wal-fetcher: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        } finally {
            busy.remove(f);
        }
    }
}
