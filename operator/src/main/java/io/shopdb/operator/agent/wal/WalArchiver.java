package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.agent.protocol.AgentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The archiver sidecar of an instance pod: one long-running JVM that ships WAL, so archive_command costs a shell and a
 * few file checks per segment instead of a JVM start (measured in BENCHMARKS.md).
 *
 * <p>The handoff, as pgBackRest's asynchronous archiving does it: PostgreSQL marks a finished WAL file with
 * {@code pg_wal/archive_status/<f>.ready}; this loop sees it, stores the file in the archive (in parallel, ahead of
 * PostgreSQL's own requests) and writes {@code <handoff>/ok/<f>}, or {@code <handoff>/error/<f>} with the reason.
 * The instance's archive_command (archive-wal.sh) only waits for one of the two: it succeeds only once the file is in
 * the archive with its checksum, so PostgreSQL recycles no segment that is not archived, and pg_stat_archiver tells the
 * truth. A failed file is retried once archive-wal.sh has taken its error (PostgreSQL retries the command).
 *
 * <p>Retention: on the declared primary only, when the segment named in {@code <configDir>/wal-keep-from} (written by
 * the operator: the start of the oldest kept backup) moves, archived WAL older than it is deleted (checked every
 * {@link #PRUNE_EVERY}).
 */
public final class WalArchiver {
    private static final System.Logger LOG = System.getLogger(WalArchiver.class.getName());
    /** How often the retention boundary is read; archived WAL is deleted when it moved (and retried until that worked). */
    static final Duration PRUNE_EVERY = Duration.ofSeconds(5);
    /** An ok file whose .ready is gone is a leftover of a re-shipped file after a restart: removed after this. */
    static final Duration STALE_OK = Duration.ofMinutes(2);

    private final WalArchive archive;
    private final Path pgdata;
    private final Handoff handoff;
    private final Path configDir;
    private final String podName;
    private final ExecutorService workers;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> shipped = new ConcurrentHashMap<>();
    private Instant lastPrune = Instant.EPOCH;
    /** The boundary of the last complete prune: WAL archived later is newer, so nothing more goes until it moves. */
    private String prunedTo;

    public WalArchiver(WalArchive archive, Path pgdata, Path handoff, Path configDir, String podName, int parallel) {
        this.archive = archive;
        this.pgdata = pgdata;
        this.handoff = new Handoff(handoff, "wal-archiver");
        this.configDir = configDir;
        this.podName = podName;
        this.workers = this.handoff.workers(parallel);
    }

    /** Runs until {@code stop} says so (the process runs until the pod ends). */
    public void run(Supplier<Boolean> stop) {
        handoff.serve(stop, new String[] {"ok", "error", "request"}, this::pass, workers,
                "shipping WAL of " + pgdata + " to " + archive.describe());
    }

    /** One look at archive_status: ship what is ready, tidy the handoff, prune when due. */
    void pass() {
        Set<String> ready = readyFiles();
        for (String f : ready) {
            if (!busy.contains(f) && !shipped.containsKey(f) && !Files.exists(handoff.resolve("error", f))) {
                busy.add(f);
                workers.submit(() -> ship(f));
            }
        }
        for (String f : ready) {
            // archived before, but PostgreSQL asks again (it restarted before marking the file done): answer at once
            if (shipped.containsKey(f) && Files.exists(handoff.resolve("request", f)) && !Files.exists(handoff.resolve("ok", f))) {
                answer("ok", f, "already archived\n");
            }
        }
        shipped.keySet().removeIf(f -> !ready.contains(f) && shipped.get(f).isBefore(Instant.now().minus(STALE_OK)) && removeOk(f));
        if (Instant.now().isAfter(lastPrune.plus(PRUNE_EVERY))) {
            lastPrune = Instant.now();
            prune();
        }
    }

    private void ship(String f) {
        try {
            var entry = archive.archive(pgdata.resolve("pg_wal").resolve(f), f);
            shipped.put(f, Instant.now());
            answer("ok", f, entry.sha256() + "\n");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "wal-archiver: {0}", e.getMessage());
            answer("error", f, "shopdb wal-archiver: " + e.getMessage() + "\n");
        } finally {
            busy.remove(f);
        }
    }

    private void answer(String kind, String f, String text) {
        handoff.answer(kind, f, text.getBytes(StandardCharsets.UTF_8));
    }

    private boolean removeOk(String f) {
        try {
            Files.deleteIfExists(handoff.resolve("ok", f));
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    private Set<String> readyFiles() {
        Set<String> out = new TreeSet<>();
        Path status = pgdata.resolve("pg_wal").resolve("archive_status");
        if (!Files.isDirectory(status)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(status, "*.ready")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                out.add(name.substring(0, name.length() - ".ready".length()));
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + status + ": " + e.getMessage(), e);
        }
        return out;
    }

    private void prune() {
        if (configDir == null || podName == null) {
            return;
        }
        try {
            Path primary = configDir.resolve("primary");
            Path keep = configDir.resolve("wal-keep-from");
            if (!Files.exists(primary) || !Files.exists(keep) || !podName.equals(Files.readString(primary).strip())) {
                return;
            }
            String keepFrom = Files.readString(keep).strip();
            WalNames.Segment segment = WalNames.isSegment(keepFrom) ? WalNames.segmentOf(keepFrom) : null;
            if (segment == null || keepFrom.equals(prunedTo)) {
                return; // empty until a backup needs WAL: nothing may go; or already pruned to there
            }
            int deleted = archive.pruneBefore(segment);
            prunedTo = keepFrom;
            if (deleted > 0) {
                LOG.log(System.Logger.Level.INFO, "wal-archiver: deleted {0} archived WAL files older than {1}", deleted, keepFrom);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "wal-archiver: retention skipped: {0}", e.getMessage());
        }
    }
}
