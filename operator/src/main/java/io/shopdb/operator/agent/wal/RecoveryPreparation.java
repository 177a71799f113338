package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.AgentException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an unpacked physical backup into a point-in-time recovery, as PostgreSQL defines one: {@code recovery.signal}
 * in the data directory, {@code restore_command} to fetch archived WAL, at most one {@code recovery_target_*}, and
 * {@code recovery_target_action = 'promote'} (with no target, recovery replays the whole archive and promotes).
 * {@code recovery_target_timeline} stays at its default {@code latest}: the archive's timeline history files lead it.
 *
 * <p>The instance image has no agent, so the archived WAL is fetched here, in the init container, before the server
 * starts: every file from the backup's start segment on (and every timeline history file) is read, checked against its
 * SHA-256 and written to {@code walDir}; restore_command is then a plain {@code cp} from there. A damaged file stops
 * the recovery here, before replay. The cost is disk: the WAL between the backup and the target sits on the volume
 * until the server has promoted (bootstrap.sh removes it then).
 *
 * <p>The settings go to {@code optionsFile}, one {@code name=value} per line, which bootstrap.sh passes as {@code -c}
 * options only while {@code recovery.signal} exists: they are never in postgresql.auto.conf, which replicas would copy.
 */
public final class RecoveryPreparation {
    private static final Pattern START = Pattern.compile("START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+) \\(file ([0-9A-F]{24})\\)");

    public record Target(String time, String lsn, String xid, String name) {
        static final Target END = new Target(null, null, null, null);
    }

    public record Result(String firstWal, String lastWal, int files, String skipped) {}

    private final WalArchive archive;

    public RecoveryPreparation(WalArchive archive) {
        this.archive = archive;
    }

    public Result prepare(Path dataDir, Path walDir, Path optionsFile, Target target) {
        Path label = dataDir.resolve("backup_label");
        if (!Files.exists(label)) {
            if (Files.exists(dataDir.resolve("recovery.signal")) && Files.exists(optionsFile)) {
                return new Result(null, null, 0, "recovery already prepared; the server is replaying");
            }
            return new Result(null, null, 0, "data directory " + dataDir + " is not a fresh backup (no backup_label): nothing to recover");
        }
        WalNames.Segment start = startSegment(label);
        if (target.lsn() != null) {
            long lsn;
            try {
                lsn = WalNames.lsn(target.lsn());
            } catch (IllegalArgumentException e) {
                throw new AgentException(Reason.INVALID, e.getMessage());
            }
            if (lsn < start.number() * WalNames.SEGMENT_SIZE) {
                throw new AgentException(Reason.INVALID, "target LSN " + target.lsn() + " is before the backup (it starts in "
                        + start.fileName() + "): choose an older backup");
            }
        }
        List<WalArchive.Entry> needed = new ArrayList<>();
        for (WalArchive.Entry e : archive.list()) {
            WalNames.Segment s = e.segment();
            if (WalNames.isHistory(e.walFile()) || (WalNames.isSegment(e.walFile()) && s.timeline() >= start.timeline() && s.number() >= start.number())) {
                needed.add(e);
            }
        }
        List<WalArchive.Entry> segments = needed.stream().filter(e -> WalNames.isSegment(e.walFile())).toList();
        if (target.lsn() != null) {
            long lsn = WalNames.lsn(target.lsn());
            long last = segments.stream().mapToLong(e -> e.segment().endLsn()).max().orElse(0);
            if (lsn >= last) {
                throw new AgentException(Reason.NOT_FOUND, "target LSN " + target.lsn() + " is after the end of the archive "
                        + archive.describe() + " (it ends at " + WalNames.lsnText(last) + ")");
            }
        }
        try {
            Files.createDirectories(walDir);
            for (WalArchive.Entry e : needed) {
                byte[] content = archive.read(e); // checked against its SHA-256 here, before the server ever sees it
                Path tmp = walDir.resolve("." + e.walFile() + ".tmp");
                Files.write(tmp, content);
                Files.move(tmp, walDir.resolve(e.walFile()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.writeString(optionsFile, options(walDir, target), StandardCharsets.UTF_8);
            Files.writeString(dataDir.resolve("recovery.signal"), "");
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot prepare recovery in " + dataDir + ": " + e.getMessage(), e);
        }
        return new Result(segments.isEmpty() ? null : segments.get(0).walFile(),
                segments.isEmpty() ? null : segments.get(segments.size() - 1).walFile(), needed.size(), null);
    }

    /** The recovery settings, one per line as {@code name=value} (bootstrap.sh turns each into {@code -c name=value}). */
    static String options(Path walDir, Target target) {
        StringBuilder out = new StringBuilder();
        out.append("restore_command=cp \"").append(walDir.toAbsolutePath()).append("/%f\" \"%p\"\n");
        if (target.time() != null) {
            out.append("recovery_target_time=").append(target.time()).append('\n');
        } else if (target.lsn() != null) {
            out.append("recovery_target_lsn=").append(target.lsn()).append('\n');
        } else if (target.xid() != null) {
            out.append("recovery_target_xid=").append(target.xid()).append('\n');
        } else if (target.name() != null) {
            out.append("recovery_target_name=").append(target.name()).append('\n');
        }
        out.append("recovery_target_action=promote\n");
        return out.toString();
    }

    static WalNames.Segment startSegment(Path backupLabel) {
        try {
            Matcher m = START.matcher(Files.readString(backupLabel));
            if (!m.find()) {
                throw new AgentException(Reason.INVALID, backupLabel + " has no START WAL LOCATION line");
            }
            return WalNames.segmentOf(m.group(2));
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot read " + backupLabel + ": " + e.getMessage(), e);
        }
    }
}
