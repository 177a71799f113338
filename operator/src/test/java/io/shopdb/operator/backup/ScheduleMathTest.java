package io.shopdb.operator.backup;

import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleMathTest {
    static final Instant NOW = Instant.parse("2026-03-28T12:00:00Z");

    static ScheduleMath.BackupInfo good(String name, String created) {
        return new ScheduleMath.BackupInfo(name, Instant.parse(created), true, true);
    }

    static ScheduleMath.BackupInfo failed(String name, String created) {
        return new ScheduleMath.BackupInfo(name, Instant.parse(created), true, false);
    }

    @Test
    void theNextRunIsLocalTimeInTheScheduleZoneAcrossDaylightSaving() {
        // Berlin switches to summer time on 2026-03-29: 02:30 local is 01:30Z before, 00:30Z after
        assertEquals(Instant.parse("2026-03-28T01:30:00Z"), ScheduleMath.next("30 2 * * *", "Europe/Berlin", Instant.parse("2026-03-27T12:00:00Z")).orElseThrow());
        assertEquals(Instant.parse("2026-03-30T00:30:00Z"), ScheduleMath.next("30 2 * * *", "Europe/Berlin", Instant.parse("2026-03-29T12:00:00Z")).orElseThrow());
        assertEquals(Instant.parse("2026-03-28T12:15:00Z"), ScheduleMath.next("15 * * * *", null, NOW).orElseThrow());
        assertEquals(Instant.parse("2026-03-30T03:00:00Z"), ScheduleMath.next("0 3 * * 1", "UTC", NOW).orElseThrow(), "Monday");
    }

    @Test
    void aRunIsDueOnlyOnceACronTimePassedSinceTheLastOne() {
        assertTrue(ScheduleMath.cronDue("0 * * * *", "UTC", Instant.parse("2026-03-28T10:59:00Z"), NOW));
        assertFalse(ScheduleMath.cronDue("0 * * * *", "UTC", Instant.parse("2026-03-28T12:00:00Z"), NOW.plusSeconds(3599)));
        assertTrue(ScheduleMath.cronDue("0 * * * *", "UTC", Instant.parse("2026-03-28T12:00:00Z"), NOW.plusSeconds(3600)));
    }

    @Test
    void badExpressionsAndZonesAreNamed() {
        assertNull(ScheduleMath.cronProblem("*/5 * * * *"));
        assertNull(ScheduleMath.zoneProblem("America/New_York"));
        assertNull(ScheduleMath.zoneProblem(null));
        assertNotNull(ScheduleMath.cronProblem("0 3 * *"));
        assertNotNull(ScheduleMath.cronProblem("61 3 * * *"));
        assertTrue(ScheduleMath.zoneProblem("Mars/Olympus").contains("Mars/Olympus"));
    }

    @Test
    void keepLastDeletesTheOldestSuccessfulBackupsButNeverRunningOnes() {
        var backups = List.of(good("a", "2026-03-25T03:00:00Z"), good("b", "2026-03-26T03:00:00Z"), good("c", "2026-03-27T03:00:00Z"),
                new ScheduleMath.BackupInfo("d", Instant.parse("2026-03-28T03:00:00Z"), false, false));
        assertEquals(List.of("a"), ScheduleMath.expired(backups, 2, null, NOW, Set.of(), null));
        assertEquals(List.of(), ScheduleMath.expired(backups, 2, null, NOW, Set.of("a"), null), "protected (under a drill)");
    }

    @Test
    void maxAgeNeverDeletesTheLastSuccessfulBackup() {
        var backups = List.of(good("old", "2026-01-01T03:00:00Z"), good("older", "2025-12-01T03:00:00Z"), failed("broken", "2026-03-27T03:00:00Z"));
        // everything is past maxAge except the failed one; the newest good backup survives anyway
        assertEquals(List.of("older"), ScheduleMath.expired(backups, null, Duration.ofDays(30), NOW, Set.of(), null));
        assertEquals(List.of(), ScheduleMath.expired(List.of(good("only", "2020-01-01T00:00:00Z")), 1, Duration.ofDays(1), NOW, Set.of(), null));
    }

    @Test
    void failedBackupsOlderThanTheKeptOnesGo() {
        var backups = List.of(failed("f1", "2026-03-20T03:00:00Z"), good("g1", "2026-03-21T03:00:00Z"), good("g2", "2026-03-22T03:00:00Z"),
                failed("f2", "2026-03-23T03:00:00Z"));
        assertEquals(List.of("f1"), ScheduleMath.expired(backups, 5, null, NOW, Set.of(), null));
    }

    @Test
    void retentionKeepsTheNewestDrillPassedBackupBesidesKeepLast() {
        // oldest first; b1 is the one whose restore drill passed (the drills of b2..b5 have not passed)
        var backups = List.of(good("b1", "2026-03-23T03:00:00Z"), good("b2", "2026-03-24T03:00:00Z"), good("b3", "2026-03-25T03:00:00Z"),
                good("b4", "2026-03-26T03:00:00Z"), good("b5", "2026-03-27T03:00:00Z"));
        assertEquals(List.of("b3", "b2"), ScheduleMath.expired(backups, 2, null, NOW, Set.of(), "b1"), "b5, b4 (keepLast) and b1 (drill) stay");
        assertEquals(List.of("b3", "b2", "b1"), ScheduleMath.expired(backups, 2, null, NOW, Set.of(), null), "without a passed drill: as before");
        // maxAge cannot take it either
        assertEquals(List.of("b4", "b3", "b2"), ScheduleMath.expired(backups, null, Duration.ofHours(12), NOW, Set.of(), "b1"));
    }

    @Test
    void theDrillPassedBackupIsTheLastDrillWhenItPassedAndDrillsAreOn() {
        var verify = new PostgresBackupScheduleSpec.Verify();
        var passed = drill("b1", true);
        assertEquals("b1", ScheduleMath.drillPassed(verify, passed));
        assertNull(ScheduleMath.drillPassed(verify, drill("b2", false)), "a failed drill protects nothing");
        assertNull(ScheduleMath.drillPassed(verify, null), "no drill finished yet");
        assertNull(ScheduleMath.drillPassed(null, passed), "drills not configured");
        verify.setEnabled(false);
        assertNull(ScheduleMath.drillPassed(verify, passed), "drills switched off");
    }

    static PostgresBackupScheduleStatus.VerifiedRestore drill(String backup, boolean ok) {
        var v = new PostgresBackupScheduleStatus.VerifiedRestore();
        v.setBackup(backup);
        v.setOk(ok);
        return v;
    }

    @Test
    void durationsAcceptDaysAndCombinations() {
        assertEquals(Duration.ofDays(30), ScheduleMath.parseDuration("30d"));
        assertEquals(Duration.ofMinutes(90), ScheduleMath.parseDuration("1h30m"));
        assertEquals(Duration.ofHours(720), ScheduleMath.parseDuration("720h"));
        assertNull(ScheduleMath.parseDuration(null));
        assertThrows(IllegalArgumentException.class, () -> ScheduleMath.parseDuration("30 days"));
    }
}
