package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.WalNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    static final Duration POLL = Duration.ofMillis(50);

    private final WalArchive archive;
    private final Path handoff;
    private final ExecutorService workers;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    public WalFetcher(WalArchive archive, Path handoff, int parallel) {
        this.archive = archive;
        this.handoff = handoff;
        this.workers = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "wal-fetcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs until {@code stop} says so (the process runs until the pod ends). */
    public void run(Supplier<Boolean> stop) {
        while (!Files.isDirectory(handoff) && !stop.get()) {
            sleepPoll(); // bootstrap.sh creates it as the server's user (see WalArchiver.run for why that matters)
        }
        prepare();
        LOG.log(System.Logger.Level.INFO, "wal-fetcher: serving {0} to {1}", archive.describe(), handoff);
        while (!stop.get()) {
            try {
                pass();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "wal-fetcher: {0}", e.getMessage());
            }
            if (!sleepPoll()) {
                break;
            }
        }
        workers.shutdownNow();
    }

    void prepare() {
        try {
            var owner = Files.getOwner(handoff);
            for (String sub : new String[] {"fetch", "fetched", "missing"}) {
                Path dir = Files.createDirectories(handoff.resolve(sub));
                if (!Files.getOwner(dir).equals(owner)) {
                    Files.setOwner(dir, owner);
                }
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot prepare the handoff directory " + handoff + ": " + e.getMessage(), e);
        }
    }

    /** One look at the requests: each new one is fetched by a worker. */
    void pass() {
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(handoff.resolve("fetch"))) {
            for (Path p : requests) {
                String f = p.getFileName().toString();
                if (WalNames.isWalFile(f) && !answered(f) && busy.add(f)) {
                    workers.submit(() -> fetch(f));
                }
            }
        } catch (NoSuchFileException e) {
            prepare();
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + handoff.resolve("fetch") + ": " + e.getMessage(), e);
        }
    }

    private boolean answered(String f) {
        return Files.exists(handoff.resolve("fetched").resolve(f)) || Files.exists(handoff.resolve("missing").resolve(f));
    }

    /** Fetches one file; what cannot be read is answered as missing, with the reason, so the server tries streaming. */
    void fetch(String f) {
        try {
            var entry = archive.find(f);
            if (entry.isEmpty()) {
                answer("missing", f, null, "not in " + archive.describe() + " (yet)\n");
                return;
            }
            answer("fetched", f, archive.read(entry.get()), null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wal-fetcher: {0}: {1}", f, e.getMessage());
            answer("missing", f, null, "shopdb wal-fetcher: " + e.getMessage() + "\n");
        } finally {
            busy.remove(f);
        }
    }

    /** Writes the answer atomically (temp file + rename), so restore-wal.sh never takes half of it. */
    private void answer(String kind, String f, byte[] content, String text) {
        Path target = handoff.resolve(kind).resolve(f);
        Path tmp = handoff.resolve(kind).resolve("." + f + ".tmp");
        try {
            Files.write(tmp, content != null ? content : text.getBytes(StandardCharsets.UTF_8));
            var owner = Files.getOwner(handoff);
            if (!Files.getOwner(tmp).equals(owner)) {
                Files.setOwner(tmp, owner); // the server moves it into pg_wal and reads it as the handoff's owner (see run)
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "wal-fetcher: cannot write {0}: {1}", target, e.getMessage());
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
