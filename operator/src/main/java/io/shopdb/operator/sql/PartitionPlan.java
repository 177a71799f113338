package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualPartitions.Partition;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Pure plans for one partitioned table, in two transactions so a retention step that PostgreSQL refuses
 * (a detached partition would orphan rows another table references) never holds back the partitions ahead:
 * {@link #ahead} creates the current interval's partition and {@code premake} more, and moves rows out of the
 * default partition; {@link #retention} detaches or drops what is older than {@code keep} intervals. Both run as
 * the table's owner (SET LOCAL ROLE), so new partitions belong to it and carry its default privileges. At
 * steady state both are empty.
 *
 * <p>A partition whose range holds rows of the default partition cannot be created directly ("updated
 * partition constraint for default partition would be violated"), and the default cannot be detached while
 * other tables reference its rows. So the rows move instead: the partition is created as a standalone table
 * LIKE the parent, the rows are deleted from the default and inserted into it in one statement, and it is
 * attached (PostgreSQL then builds its indexes and checks its bounds). Foreign keys pointing at the table
 * would see the rows vanish for a moment, so that transaction first sets session_replication_role = replica
 * (only then: it needs a superuser, which the operator's admin connection is on managed clusters); the rows are
 * the same before and after.
 */
public final class PartitionPlan {
    /** The two transactions of one maintenance pass. */
    public record Plan(List<SqlStep> ahead, List<SqlStep> retention) {
        public boolean isEmpty() {
            return ahead.isEmpty() && retention.isEmpty();
        }
    }

    /** What status reports of a table; {@code notes} explain rows that stay in the default partition. */
    public record Report(int ahead, String newestBound, int behind, String oldestBound, boolean coversToday,
                         long defaultRows, List<String> notes) {}

    private PartitionPlan() {}

    public static Plan plan(DesiredPartitions desired, ActualPartitions actual, LocalDate today) {
        LocalDate current = desired.interval().start(today);
        List<SqlStep> creates = new ArrayList<>();
        List<SqlStep> moves = new ArrayList<>();
        TreeSet<LocalDate> starts = new TreeSet<>();
        for (int i = 0; i <= desired.premake(); i++) {
            starts.add(desired.interval().plus(current, i));
        }
        if (desired.moveDefaultRows()) {
            LocalDate oldestKept = oldestKept(desired, current);
            actual.defaultRowsByStart().keySet().stream()
                    .filter(s -> oldestKept == null || !s.isBefore(oldestKept))
                    .forEach(starts::add);
        }
        for (LocalDate start : starts) {
            LocalDate end = desired.interval().plus(start, 1);
            if (covered(actual, start, end)) {
                continue;
            }
            if (actual.defaultRowsByStart().containsKey(start)) {
                if (desired.moveDefaultRows()) {
                    moves.addAll(move(desired, actual, start, end));
                }
                continue; // keep: the rows stay in the default partition and block this one; status says so
            }
            creates.add(create(desired, actual, start, end));
        }
        List<SqlStep> ahead = new ArrayList<>();
        if (!creates.isEmpty() || !moves.isEmpty()) {
            if (!moves.isEmpty() && actual.referenced()) {
                ahead.add(new SqlStep("SET session_replication_role = replica (foreign keys to " + desired.qualifiedName()
                        + " keep pointing at the moved rows)", "SET LOCAL session_replication_role = replica"));
            }
            ahead.add(setRole(actual));
            ahead.addAll(creates);
            ahead.addAll(moves);
        }
        return new Plan(List.copyOf(ahead), retention(desired, actual, current));
    }

    public static Report report(DesiredPartitions desired, ActualPartitions actual, LocalDate today) {
        LocalDate current = desired.interval().start(today);
        LocalDateTime from = current.atStartOfDay();
        LocalDateTime to = desired.interval().plus(current, 1).atStartOfDay();
        int ahead = 0;
        int behind = 0;
        boolean coversToday = false;
        LocalDateTime newest = null;
        LocalDateTime oldest = null;
        boolean unboundedAbove = false;
        boolean unboundedBelow = false;
        for (Partition p : actual.partitions()) {
            if (p.from() != null && !p.from().isBefore(to)) {
                ahead++;
            }
            if (p.to() != null && !p.to().isAfter(from)) {
                behind++;
            }
            coversToday |= p.overlaps(today.atStartOfDay(), today.plusDays(1).atStartOfDay());
            unboundedAbove |= p.to() == null;
            unboundedBelow |= p.from() == null;
            newest = p.to() == null || (newest != null && !p.to().isAfter(newest)) ? newest : p.to();
            oldest = p.from() == null || (oldest != null && !p.from().isBefore(oldest)) ? oldest : p.from();
        }
        List<String> notes = new ArrayList<>();
        long dated = actual.defaultRowsByStart().values().stream().mapToLong(Long::longValue).sum();
        if (actual.defaultRows() > dated) {
            notes.add((actual.defaultRows() - dated) + " row(s) in the default partition have a NULL " + actual.keyColumn());
        }
        if (!desired.moveDefaultRows() && dated > 0) {
            notes.add(dated + " row(s) stay in the default partition (defaultRows: keep); partitions of their intervals are not created");
        } else if (dated > 0) {
            LocalDate oldestKept = oldestKept(desired, current);
            long old = actual.defaultRowsByStart().entrySet().stream()
                    .filter(e -> oldestKept != null && e.getKey().isBefore(oldestKept)).mapToLong(Map.Entry::getValue).sum();
            if (old > 0) {
                notes.add(old + " row(s) in the default partition are older than the retention (before " + oldestKept
                        + ") and are not moved");
            }
        }
        return new Report(ahead, unboundedAbove ? "MAXVALUE" : text(newest), behind, unboundedBelow ? "MINVALUE" : text(oldest),
                coversToday, actual.defaultRows(), List.copyOf(notes));
    }

    /** Detach (and drop) every partition that ends on or before the oldest interval kept. */
    private static List<SqlStep> retention(DesiredPartitions desired, ActualPartitions actual, LocalDate current) {
        LocalDate oldestKept = oldestKept(desired, current);
        if (oldestKept == null) {
            return List.of();
        }
        List<SqlStep> steps = new ArrayList<>();
        String parent = qualified(actual.schema(), actual.table());
        for (Partition p : actual.partitions()) {
            if (p.to() == null || p.to().isAfter(oldestKept.atStartOfDay())) {
                continue;
            }
            String part = qualified(p.schema(), p.name());
            steps.add(new SqlStep("DETACH PARTITION " + p.qualifiedName() + " (older than " + oldestKept + ")",
                    "ALTER TABLE " + parent + " DETACH PARTITION " + part));
            if (desired.drop()) {
                steps.add(new SqlStep("DROP TABLE " + p.qualifiedName(), "DROP TABLE " + part));
            }
        }
        return steps.isEmpty() ? List.of() : prepend(setRole(actual), steps);
    }

    private static SqlStep create(DesiredPartitions desired, ActualPartitions actual, LocalDate start, LocalDate end) {
        String name = desired.partitionName(start);
        return new SqlStep("CREATE PARTITION " + actual.schema() + "." + name + " FOR " + start + " .. " + end,
                "CREATE TABLE " + qualified(actual.schema(), name) + " PARTITION OF " + qualified(actual.schema(), actual.table())
                        + " FOR VALUES FROM (" + bound(actual, start) + ") TO (" + bound(actual, end) + ")");
    }

    private static List<SqlStep> move(DesiredPartitions desired, ActualPartitions actual, LocalDate start, LocalDate end) {
        String name = desired.partitionName(start);
        String parent = qualified(actual.schema(), actual.table());
        String part = qualified(actual.schema(), name);
        String key = Identifiers.quote(actual.keyColumn());
        String columns = actual.columns().stream().map(Identifiers::quote).collect(Collectors.joining(", "));
        long rows = actual.defaultRowsByStart().get(start);
        String text = actual.schema() + "." + name;
        return List.of(
                new SqlStep("CREATE TABLE " + text + " LIKE " + desired.qualifiedName(),
                        "CREATE TABLE " + part + " (LIKE " + parent + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)"),
                new SqlStep("MOVE " + rows + " row(s) from " + actual.defaultPartition().qualifiedName() + " to " + text,
                        "WITH moved AS (DELETE FROM " + qualified(actual.defaultPartition().schema(), actual.defaultPartition().name())
                                + " WHERE " + key + " >= " + bound(actual, start) + " AND " + key + " < " + bound(actual, end)
                                + " RETURNING " + columns + ") INSERT INTO " + part + " (" + columns + ") SELECT " + columns + " FROM moved"),
                new SqlStep("ATTACH PARTITION " + text + " FOR " + start + " .. " + end,
                        "ALTER TABLE " + parent + " ATTACH PARTITION " + part
                                + " FOR VALUES FROM (" + bound(actual, start) + ") TO (" + bound(actual, end) + ")"));
    }

    /** Whether an existing partition already holds any of [start, end): then this interval is left alone. */
    private static boolean covered(ActualPartitions actual, LocalDate start, LocalDate end) {
        return actual.partitions().stream().anyMatch(p -> p.overlaps(start.atStartOfDay(), end.atStartOfDay()));
    }

    private static LocalDate oldestKept(DesiredPartitions desired, LocalDate current) {
        return desired.keep() == null ? null : desired.interval().plus(current, -desired.keep());
    }

    private static SqlStep setRole(ActualPartitions actual) {
        return new SqlStep("SET ROLE " + actual.owner() + " (owner of " + actual.schema() + "." + actual.table() + ")",
                "SET LOCAL ROLE " + Identifiers.quote(actual.owner()));
    }

    private static String bound(ActualPartitions actual, LocalDate day) {
        return Literals.quote(actual.keyType().literal(day));
    }

    private static String qualified(String schema, String name) {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    private static String text(LocalDateTime t) {
        if (t == null) {
            return null;
        }
        return t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT) ? t.toLocalDate().toString() : t.toString();
    }

    private static List<SqlStep> prepend(SqlStep first, List<SqlStep> rest) {
        List<SqlStep> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return List.copyOf(out);
    }
}
