package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.agent.wal.RecoveryPreparation;
import io.shopdb.operator.agent.wal.WalArchive;
import io.shopdb.operator.agent.wal.WalArchiver;

import io.shopdb.operator.agent.protocol.AgentException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** The agent's WAL commands: archive-wal, restore-wal, wal-archiver, wal-fetcher, prepare-recovery, prune-wal, list-wal. */
final class WalCommands {
    /** Parallel uploads of the archiver sidecar: enough to hide an S3 round trip per segment. */
    static final int ARCHIVER_THREADS = 4;

    private WalCommands() {}

    /** The result of a WAL command, or null when the request is not one. */
    static AgentSummary execute(AgentRequest request, BackupStorage storage) {
        if (request instanceof AgentRequest.ArchiveWal a) {
            var e = archive(storage, a.archivePrefix(), a.compression()).archive(Paths.get(a.walPath()), a.walFile());
            return new AgentSummary.Builder().walFile(e.walFile()).sha256(e.sha256()).totalBytes(e.storedSize()).build();
        }
        if (request instanceof AgentRequest.RestoreWal r) {
            var e = archive(storage, r.archivePrefix(), null).restore(r.walFile(), Paths.get(r.targetPath()));
            return new AgentSummary.Builder().walFile(e.walFile()).sha256(e.sha256()).build();
        }
        if (request instanceof AgentRequest.WalArchiver w) {
            new WalArchiver(archive(storage, w.archivePrefix(), w.compression()), Paths.get(w.pgdata()), Paths.get(w.handoffDir()),
                    w.configDir() == null ? null : Paths.get(w.configDir()), w.podName(), ARCHIVER_THREADS).run(() -> false);
            return AgentSummary.skipped("wal-archiver stopped");
        }
        if (request instanceof AgentRequest.WalFetcher f) {
            new io.shopdb.operator.agent.wal.WalFetcher(archive(storage, f.archivePrefix(), null), Paths.get(f.handoffDir()), ARCHIVER_THREADS)
                    .run(() -> false);
            return AgentSummary.skipped("wal-fetcher stopped");
        }
        if (request instanceof AgentRequest.PrepareRecovery p) {
            if (p.podName() != null && !p.podName().endsWith("-0")) {
                return AgentSummary.skipped("pod " + p.podName() + " is not ordinal 0: it clones the primary");
            }
            for (String v : new String[] {p.targetTime(), p.targetLsn(), p.targetXid(), p.targetName()}) {
                if (v != null && (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.isBlank())) {
                    throw new AgentException(AgentException.Reason.INVALID, "a recovery target must be one non-empty line");
                }
            }
            var result = new RecoveryPreparation(archive(storage, p.archivePrefix(), null)).prepare(Paths.get(p.dataDir()),
                    Paths.get(p.walDir()), Paths.get(p.optionsFile()),
                    new RecoveryPreparation.Target(p.targetTime(), p.targetLsn(), p.targetXid(), p.targetName()));
            if (result.skipped() != null) {
                return AgentSummary.skipped(result.skipped());
            }
            var s = new AgentSummary.Builder().walFiles(result.files());
            if (result.firstWal() != null) {
                s.firstWal(result.firstWal()).lastWal(result.lastWal());
            }
            return s.build();
        }
        if (request instanceof AgentRequest.PruneWal p) {
            if (!WalNames.isSegment(p.keepFrom())) {
                throw new AgentException(AgentException.Reason.INVALID, "--keep-from must be a WAL segment name (24 hex digits)");
            }
            int deleted = archive(storage, p.archivePrefix(), null).pruneBefore(WalNames.segmentOf(p.keepFrom()));
            return new AgentSummary.Builder().walFiles(deleted).firstWal(p.keepFrom()).build();
        }
        if (request instanceof AgentRequest.ListWal l) {
            List<WalArchive.Entry> entries = archive(storage, l.archivePrefix(), null).list();
            List<String> segments = entries.stream().map(WalArchive.Entry::walFile).filter(WalNames::isSegment).toList();
            var s = new AgentSummary.Builder().walFiles(entries.size());
            if (!segments.isEmpty()) {
                s.firstWal(segments.get(0)).lastWal(segments.get(segments.size() - 1));
            }
            return s.build();
        }
        return null;
    }

    static WalArchive archive(BackupStorage storage, String prefix, String compression) {
        return new WalArchive(storage, prefix, WalArchive.levelOf(compression));
    }

    static Path path(String p) {
        return Paths.get(p);
    }
}
