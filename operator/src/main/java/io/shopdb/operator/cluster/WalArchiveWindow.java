package io.shopdb.operator.cluster;

import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.RecoverySpec;
import io.shopdb.operator.api.v1alpha1.WalArchiveStatus;
import io.shopdb.operator.status.Conditions;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a cluster's backups plus its WAL archive can recover, as pure functions of the PostgresBackups: the retention
 * boundary of the archive (keep WAL from the start of the oldest kept physical backup), the recoverable window, and
 * whether a point-in-time recovery target lies inside it.
 */
public final class WalArchiveWindow {
    private WalArchiveWindow() {}

    /** A Ready physical backup and what it needs: WAL from {@code start}; recoverable from {@code consistentLsn} / {@code completed}. */
    record Base(String name, WalNames.Segment start, long consistentLsn, Instant completed) {}

    /** A physical backup that is Ready: a recovery may start from it, so the archive keeps what it needs. */
    static boolean readyPhysical(PostgresBackup b) {
        return b.getSpec() != null && b.getSpec().getMethod() == BackupTemplate.BackupMethod.physical && b.getStatus() != null
                && Conditions.isReady(b.getStatus());
    }

    static Optional<Base> base(PostgresBackup b) {
        if (!readyPhysical(b) || b.getStatus().getWalRange() == null || b.getStatus().getCompletionTime() == null) {
            return Optional.empty();
        }
        var range = AgentSummary.WalRange.parse(b.getStatus().getWalRange());
        try {
            return range.map(r -> new Base(b.getMetadata().getName(), WalNames.segmentAt(r.timeline(), WalNames.lsn(r.startLsn())),
                    WalNames.lsn(r.endLsn()), Instant.parse(b.getStatus().getCompletionTime())));
        } catch (RuntimeException e) {
            return Optional.empty(); // a completion time this operator did not write: the backup counts as needing everything
        }
    }

    /**
     * The first segment the archive must keep: the start segment of the oldest Ready physical backup of the cluster
     * (its WAL, and all WAL after it, is what a recovery from any kept backup replays). Empty while there is none: then
     * no backup says which WAL is useless, and nothing is deleted. Empty too when a Ready physical backup's WAL range is
     * missing or unreadable: that backup may need any WAL, so none is deleted until it is gone.
     */
    public static String keepFrom(List<PostgresBackup> backups) {
        if (backups.stream().anyMatch(b -> readyPhysical(b) && base(b).isEmpty())) {
            return null;
        }
        return backups.stream().map(WalArchiveWindow::base).flatMap(Optional::stream)
                .map(Base::start).min(Comparator.comparingLong(WalNames.Segment::number))
                .map(WalNames.Segment::fileName).orElse(null);
    }

    /** The earliest point a recovery reaches: when the oldest Ready physical backup completed (RFC 3339), or null. */
    public static String recoverableFrom(List<PostgresBackup> backups) {
        return backups.stream().map(WalArchiveWindow::base).flatMap(Optional::stream)
                .map(Base::completed).min(Comparator.naturalOrder()).map(Instant::toString).orElse(null);
    }

    /** Whether a recovery target can be reached: go, wait for the archive to catch up, or refuse (the message says why). */
    public record Verdict(boolean go, boolean refused, String message) {
        static final Verdict GO = new Verdict(true, false, null);

        static Verdict refuse(String message) {
            return new Verdict(false, true, message);
        }

        static Verdict await(String message) {
            return new Verdict(false, false, message);
        }
    }

    /**
     * Checks a target against the backup it starts from and, when known, the source's archive status. A target before
     * the backup completed (time) or before its consistent point (LSN) is refused: recovery cannot stop before the
     * backup is consistent. A time after the newest archived file but not in the future waits (the archive closes a
     * file at least every archive_timeout); a time in the future is refused. XIDs and restore point names cannot be
     * placed without reading WAL: PostgreSQL refuses them itself if the archive ends first.
     */
    public static Verdict check(RecoverySpec r, PostgresBackup backup, WalArchiveStatus source, Instant now) {
        Optional<Base> base = base(backup);
        if (base.isEmpty()) {
            return Verdict.refuse("PostgresBackup " + backup.getMetadata().getName() + " has no WAL range in its status: it cannot start a point-in-time recovery");
        }
        Base b = base.get();
        String field = "spec.bootstrap.fromBackup.recovery.";
        if (r.getTargetTime() != null) {
            Instant target;
            try {
                target = parseTime(r.getTargetTime());
            } catch (DateTimeParseException e) {
                return Verdict.refuse(field + "targetTime " + r.getTargetTime() + " is not an RFC 3339 time with a zone");
            }
            if (target.isBefore(b.completed())) {
                return Verdict.refuse(field + "targetTime " + r.getTargetTime() + " is before PostgresBackup " + b.name()
                        + " completed (" + b.completed() + "): the recoverable window of this backup starts there; choose an older backup or a later time");
            }
            if (target.isAfter(now)) {
                return Verdict.refuse(field + "targetTime " + r.getTargetTime() + " is in the future");
            }
            if (source != null && source.getLastArchivedTime() != null && target.isAfter(Instant.parse(source.getLastArchivedTime()))) {
                return Verdict.await("Waiting for the source's WAL archive to reach " + r.getTargetTime() + " (newest archived file "
                        + source.getLastArchivedWal() + " at " + source.getLastArchivedTime() + ")");
            }
        }
        if (r.getTargetLSN() != null && WalNames.lsn(r.getTargetLSN()) < b.consistentLsn()) {
            return Verdict.refuse(field + "targetLSN " + r.getTargetLSN() + " is before PostgresBackup " + b.name() + " is consistent ("
                    + WalNames.lsnText(b.consistentLsn()) + "): choose an older backup or a later LSN");
        }
        return Verdict.GO;
    }

    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("yyyy-MM-dd['T'][' ']HH:mm:ss").optionalStart().appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd().appendPattern("[XXX][XX][X]").toFormatter();

    static Instant parseTime(String text) {
        return OffsetDateTime.parse(text, RFC3339).toInstant();
    }

    /** The target time as PostgreSQL reads recovery_target_time: "2026-12-01 09:30:00+00" (with a zone, no 'T'). */
    public static String postgresTime(String rfc3339) {
        return parseTime(rfc3339).toString().replace('T', ' ').replace("Z", "+00");
    }
}
