package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.RecoverySpec;
import io.shopdb.operator.api.v1alpha1.WalArchiveStatus;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WalArchiveWindowTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static PostgresBackup backup(String name, BackupTemplate.BackupMethod method, String walRange, String completed, boolean ready) {
        var b = new PostgresBackup();
        b.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresBackupSpec();
        spec.setMethod(method);
        b.setSpec(spec);
        var status = new PostgresBackupStatus();
        status.setWalRange(walRange);
        status.setCompletionTime(completed);
        if (ready) {
            Conditions.apply(status, 1L, Outcome.ready("Ready", "done"), java.time.Clock.systemUTC());
        }
        b.setStatus(status);
        return b;
    }

    static final PostgresBackup OLD = backup("old", BackupTemplate.BackupMethod.physical, "1/0/3000028-0/3000100", "2026-12-01T08:00:00Z", true);
    static final PostgresBackup NEW = backup("new", BackupTemplate.BackupMethod.physical, "2/1/5000028-1/5000100", "2026-12-01T10:00:00Z", true);

    @Test
    void retentionKeepsFromTheOldestReadyPhysicalBackup() {
        PostgresBackup logical = backup("logical", BackupTemplate.BackupMethod.logical, null, "2026-12-01T07:00:00Z", true);
        PostgresBackup running = backup("running", BackupTemplate.BackupMethod.physical, "1/0/1000028-0/1000100", null, false);
        assertEquals("000000010000000000000003", WalArchiveWindow.keepFrom(List.of(NEW, OLD, logical, running)));
        assertEquals("000000020000000100000005", WalArchiveWindow.keepFrom(List.of(NEW)), "1/5000028 is segment 0x105 on timeline 2");
        assertNull(WalArchiveWindow.keepFrom(List.of(logical, running)), "no kept physical backup: nothing may go");
        assertEquals("2026-12-01T08:00:00Z", WalArchiveWindow.recoverableFrom(List.of(NEW, OLD)));
    }

    @Test
    void aReadyPhysicalBackupWithoutAReadableWalRangeKeepsTheWholeArchive() {
        PostgresBackup noRange = backup("no-range", BackupTemplate.BackupMethod.physical, null, "2026-12-01T09:00:00Z", true);
        PostgresBackup garbled = backup("garbled", BackupTemplate.BackupMethod.physical, "1/zz-0/3", "2026-12-01T09:00:00Z", true);
        assertNull(WalArchiveWindow.keepFrom(List.of(NEW, OLD, noRange)), "it may need any WAL: nothing may go");
        assertNull(WalArchiveWindow.keepFrom(List.of(NEW, garbled)));
    }

    static RecoverySpec time(String t) {
        var r = new RecoverySpec();
        r.setTargetTime(t);
        return r;
    }

    @Test
    void targetsOutsideTheWindowAreRefusedOrAwaited() {
        var archive = new WalArchiveStatus();
        archive.setLastArchivedWal("000000010000000000000009");
        archive.setLastArchivedTime("2026-12-01T11:59:00Z");
        assertTrue(WalArchiveWindow.check(time("2026-12-01T09:00:00Z"), OLD, archive, NOW).go());
        var before = WalArchiveWindow.check(time("2026-12-01T07:59:59Z"), OLD, archive, NOW);
        assertTrue(before.refused());
        assertTrue(before.message().contains("before PostgresBackup old completed (2026-12-01T08:00:00Z)"), before.message());
        assertTrue(WalArchiveWindow.check(time("2026-12-01T13:00:00Z"), OLD, archive, NOW).refused(), "the future");
        var waiting = WalArchiveWindow.check(time("2026-12-01T11:59:30Z"), OLD, archive, NOW);
        assertFalse(waiting.go() || waiting.refused(), "after the newest archived file: wait for it");
        assertTrue(WalArchiveWindow.check(time("2026-12-01T11:59:30Z"), OLD, null, NOW).go(), "unknown archive: PostgreSQL decides");

        var lsn = new RecoverySpec();
        lsn.setTargetLSN("0/3000050");
        assertTrue(WalArchiveWindow.check(lsn, OLD, archive, NOW).refused(), "before the backup is consistent");
        lsn.setTargetLSN("0/3000100");
        assertTrue(WalArchiveWindow.check(lsn, OLD, archive, NOW).go());
        assertTrue(WalArchiveWindow.check(new RecoverySpec(), OLD, archive, NOW).go(), "the end of the archive");
    }

    @Test
    void targetTimesReachPostgresInItsOwnSpelling() {
        assertEquals("2026-12-01 09:30:00.123456+00", WalArchiveWindow.postgresTime("2026-12-01T09:30:00.123456Z"));
        assertEquals("2026-12-01 08:30:00+00", WalArchiveWindow.postgresTime("2026-12-01T09:30:00+01:00"));
    }
}
