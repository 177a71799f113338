package io.shopdb.operator.backup;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleStatus;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure schedule arithmetic: cron (unix, five fields, via cron-utils) in an IANA time zone, whether a run is
 * due, and which backups retention removes. Time is always passed in, so tests fix the clock.
 */
public final class ScheduleMath {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private ScheduleMath() {}

    /** A finished or running backup of a schedule, as retention sees it. */
    public record BackupInfo(String name, Instant created, boolean finished, boolean succeeded) {}

    /** Null when the cron expression is valid, else what is wrong. */
    public static String cronProblem(String cron) {
        try {
            parse(cron);
            return null;
        } catch (IllegalArgumentException e) {
            return "\"" + cron + "\" is not a five-field unix cron expression: " + e.getMessage();
        }
    }

    /** Null when the zone is empty (UTC) or an IANA id, else what is wrong. */
    public static String zoneProblem(String timeZone) {
        try {
            zone(timeZone);
            return null;
        } catch (DateTimeException e) {
            return "\"" + timeZone + "\" is not an IANA time zone id";
        }
    }

    public static ZoneId zone(String timeZone) {
        return timeZone == null || timeZone.isEmpty() ? ZoneId.of("UTC") : ZoneId.of(timeZone);
    }

    /** The first cron time strictly after {@code after}, evaluated in the zone (so 02:30 means local 02:30). */
    public static Optional<Instant> next(String cron, String timeZone, Instant after) {
        return ExecutionTime.forCron(parse(cron)).nextExecution(after.atZone(zone(timeZone))).map(z -> z.toInstant());
    }

    /** A cron run is due when a cron time passed since the last run (or since the schedule was created). */
    public static boolean cronDue(String cron, String timeZone, Instant lastRunOrCreation, Instant now) {
        return next(cron, timeZone, lastRunOrCreation).map(t -> !t.isAfter(now)).orElse(false);
    }

    /**
     * Names of backups retention deletes. Successful backups, newest first, beyond {@code keepLast} go; any
     * finished backup older than {@code maxAge} goes; a failed one older than the oldest successful backup kept
     * goes. Never deleted: the newest successful backup (a schedule must always leave one restorable backup),
     * {@code drillPassed} (the newest backup whose restore drill passed, or null: until a newer one passes its drill
     * it is the only backup known to restore, so neither keepLast nor maxAge may take it), running backups, and
     * those in {@code protect} (e.g. under a restore drill). drillPassed does not count towards keepLast.
     */
    public static List<String> expired(List<BackupInfo> backups, Integer keepLast, Duration maxAge, Instant now, Set<String> protect,
                                       String drillPassed) {
        List<BackupInfo> newestFirst = backups.stream().filter(BackupInfo::finished)
                .sorted(Comparator.comparing(BackupInfo::created).reversed()).toList();
        List<BackupInfo> good = newestFirst.stream().filter(BackupInfo::succeeded).toList();
        String newestGood = good.isEmpty() ? null : good.get(0).name();
        Instant oldestKept = null;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            if (keepLast != null && i >= keepLast) {
                out.add(good.get(i).name());
            } else {
                oldestKept = good.get(i).created();
            }
        }
        for (BackupInfo b : newestFirst) {
            boolean tooOld = maxAge != null && b.created().plus(maxAge).isBefore(now);
            boolean failedAndSuperseded = !b.succeeded() && oldestKept != null && b.created().isBefore(oldestKept);
            if ((tooOld || failedAndSuperseded) && !out.contains(b.name())) {
                out.add(b.name());
            }
        }
        out.removeIf(n -> n.equals(newestGood) || n.equals(drillPassed) || protect.contains(n));
        return out;
    }

    /**
     * The backup retention must keep for the restore drill: the one the last drill passed on, when drills are on.
     * Null when drills are off, none finished yet, or the last one failed (the status keeps only the last drill,
     * so an earlier pass is no longer known then).
     */
    public static String drillPassed(PostgresBackupScheduleSpec.Verify verify, PostgresBackupScheduleStatus.VerifiedRestore last) {
        if (verify == null || !verify.isEnabled() || last == null || !Boolean.TRUE.equals(last.getOk())) {
            return null;
        }
        return last.getBackup();
    }

    /** Go-style durations plus days: 90m, 720h, 30d, 1h30m. */
    public static Duration parseDuration(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        Matcher m = DURATION_PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("not a duration: " + s);
            }
            end = m.end();
            double v = Double.parseDouble(m.group(1));
            long millis = switch (m.group(2)) {
                case "ms" -> (long) v;
                case "s" -> (long) (v * 1000);
                case "m" -> (long) (v * 60_000);
                case "h" -> (long) (v * 3_600_000);
                default -> (long) (v * 86_400_000);
            };
            total = total.plusMillis(millis);
        }
        if (end != s.length() || end == 0) {
            throw new IllegalArgumentException("not a duration: " + s);
        }
        return total;
    }

    private static Cron parse(String cron) {
        if (cron == null) {
            throw new IllegalArgumentException("missing");
        }
        return PARSER.parse(cron).validate();
    }
}
