package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualPartitions.KeyType;
import io.shopdb.operator.sql.ActualPartitions.Partition;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partition plan as exact SQL: what a month passing, old months and stray rows turn into. */
class PartitionPlanTest {
    static final LocalDate DEC_15 = LocalDate.of(2026, 12, 15);
    static final DesiredPartitions MONTHLY = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, null, false, true);

    static ActualPartitions orders(List<Partition> partitions, Map<LocalDate, Long> defaultRows, boolean referenced) {
        long total = defaultRows.values().stream().mapToLong(Long::longValue).sum();
        return new ActualPartitions("sales", "orders", "shop_owner", "created_at", KeyType.TIMESTAMPTZ,
                new Partition("sales", "orders_default", null, null), partitions, List.of("id", "customer_id", "created_at"),
                referenced, total, new TreeMap<>(defaultRows));
    }

    static Partition month(int year, int month) {
        LocalDateTime from = LocalDate.of(year, month, 1).atStartOfDay();
        return new Partition("sales", String.format("orders_%04d_%02d", year, month), from, from.plusMonths(1));
    }

    static List<String> sql(List<SqlStep> steps) {
        return steps.stream().map(SqlStep::sql).toList();
    }

    @Test
    void premakeFromNothingCreatesTheCurrentMonthAndTwoAheadAsTheOwner() {
        var plan = PartitionPlan.plan(MONTHLY, orders(List.of(), Map.of(), false), DEC_15);
        assertEquals(List.of(
                "SET LOCAL ROLE \"shop_owner\"",
                "CREATE TABLE \"sales\".\"orders_2026_12\" PARTITION OF \"sales\".\"orders\" FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')",
                "CREATE TABLE \"sales\".\"orders_2027_01\" PARTITION OF \"sales\".\"orders\" FOR VALUES FROM ('2027-01-01 00:00:00+00') TO ('2027-02-01 00:00:00+00')",
                "CREATE TABLE \"sales\".\"orders_2027_02\" PARTITION OF \"sales\".\"orders\" FOR VALUES FROM ('2027-02-01 00:00:00+00') TO ('2027-03-01 00:00:00+00')"),
                sql(plan.ahead()));
        assertEquals(List.of(), plan.retention());
        assertEquals("CREATE PARTITION sales.orders_2026_12 FOR 2026-12-01 .. 2027-01-01", plan.ahead().get(1).description());
    }

    @Test
    void steadyStatePlansNothing() {
        var actual = orders(List.of(month(2026, 11), month(2026, 12), month(2027, 1), month(2027, 2)), Map.of(), true);
        var plan = PartitionPlan.plan(MONTHLY, actual, DEC_15);
        assertTrue(plan.isEmpty(), plan.toString());
        // the last day of the month still plans nothing
        assertTrue(PartitionPlan.plan(MONTHLY, actual, LocalDate.of(2026, 12, 31)).isEmpty());
        var report = PartitionPlan.report(MONTHLY, actual, DEC_15);
        assertEquals(new PartitionPlan.Report(2, "2027-03-01", 1, "2026-11-01", true, 0, List.of()), report);
    }

    @Test
    void aMonthPassedCreatesExactlyOneNewPartition() {
        var actual = orders(List.of(month(2026, 12), month(2027, 1), month(2027, 2)), Map.of(), false);
        var plan = PartitionPlan.plan(MONTHLY, actual, LocalDate.of(2027, 1, 1));
        assertEquals(List.of("SET LOCAL ROLE \"shop_owner\"",
                "CREATE TABLE \"sales\".\"orders_2027_03\" PARTITION OF \"sales\".\"orders\" FOR VALUES FROM ('2027-03-01 00:00:00+00') TO ('2027-04-01 00:00:00+00')"),
                sql(plan.ahead()));
    }

    @Test
    void retentionDetachesOrDropsWhatEndsBeforeTheOldestKeptMonth() {
        var actual = orders(List.of(month(2026, 8), month(2026, 9), month(2026, 10), month(2026, 11), month(2026, 12),
                month(2027, 1), month(2027, 2)), Map.of(), false);
        var detach = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, 3, false, true);
        assertEquals(List.of("SET LOCAL ROLE \"shop_owner\"",
                "ALTER TABLE \"sales\".\"orders\" DETACH PARTITION \"sales\".\"orders_2026_08\""),
                sql(PartitionPlan.plan(detach, actual, DEC_15).retention()));
        var drop = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, 2, true, true);
        var plan = PartitionPlan.plan(drop, actual, DEC_15);
        assertEquals(List.of("SET LOCAL ROLE \"shop_owner\"",
                "ALTER TABLE \"sales\".\"orders\" DETACH PARTITION \"sales\".\"orders_2026_08\"",
                "DROP TABLE \"sales\".\"orders_2026_08\"",
                "ALTER TABLE \"sales\".\"orders\" DETACH PARTITION \"sales\".\"orders_2026_09\"",
                "DROP TABLE \"sales\".\"orders_2026_09\""), sql(plan.retention()));
        assertEquals(List.of(), plan.ahead(), "the months ahead are there");
        assertEquals("DETACH PARTITION sales.orders_2026_08 (older than 2026-10-01)", plan.retention().get(1).description());
    }

    @Test
    void rowsInTheDefaultPartitionMoveIntoANewPartitionInOneTransaction() {
        var actual = orders(List.of(month(2026, 12), month(2027, 1)), Map.of(LocalDate.of(2027, 2, 1), 3L), true);
        var plan = PartitionPlan.plan(MONTHLY, actual, DEC_15);
        assertEquals(List.of(
                "SET LOCAL session_replication_role = replica",
                "SET LOCAL ROLE \"shop_owner\"",
                "CREATE TABLE \"sales\".\"orders_2027_02\" (LIKE \"sales\".\"orders\" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)",
                "WITH moved AS (DELETE FROM \"sales\".\"orders_default\" WHERE \"created_at\" >= '2027-02-01 00:00:00+00' AND \"created_at\" < '2027-03-01 00:00:00+00' "
                        + "RETURNING \"id\", \"customer_id\", \"created_at\") INSERT INTO \"sales\".\"orders_2027_02\" (\"id\", \"customer_id\", \"created_at\") "
                        + "SELECT \"id\", \"customer_id\", \"created_at\" FROM moved",
                "ALTER TABLE \"sales\".\"orders\" ATTACH PARTITION \"sales\".\"orders_2027_02\" FOR VALUES FROM ('2027-02-01 00:00:00+00') TO ('2027-03-01 00:00:00+00')"),
                sql(plan.ahead()));
        assertEquals("MOVE 3 row(s) from sales.orders_default to sales.orders_2027_02", plan.ahead().get(3).description());
    }

    @Test
    void rowsOfAPastMonthMoveToo_withoutReplicaModeWhenNothingReferencesTheTable() {
        var actual = orders(List.of(month(2026, 12), month(2027, 1), month(2027, 2)), Map.of(LocalDate.of(2026, 3, 1), 5L), false);
        List<String> steps = sql(PartitionPlan.plan(MONTHLY, actual, DEC_15).ahead());
        assertEquals("SET LOCAL ROLE \"shop_owner\"", steps.get(0));
        assertTrue(steps.get(1).startsWith("CREATE TABLE \"sales\".\"orders_2026_03\" (LIKE"), steps.toString());
        assertEquals(4, steps.size(), steps.toString());
    }

    @Test
    void keptOrTooOldRowsStayAndTheReportSaysWhy() {
        var actual = orders(List.of(month(2026, 12), month(2027, 1)), Map.of(LocalDate.of(2027, 2, 1), 3L, LocalDate.of(2025, 1, 1), 2L), false);
        var keep = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, null, false, false);
        assertEquals(List.of(), PartitionPlan.plan(keep, actual, DEC_15).ahead(), "February holds kept rows: not created");
        assertEquals(List.of("5 row(s) stay in the default partition (defaultRows: keep); partitions of their intervals are not created"),
                PartitionPlan.report(keep, actual, DEC_15).notes());

        var retained = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, 12, false, true);
        List<String> steps = sql(PartitionPlan.plan(retained, actual, DEC_15).ahead());
        assertTrue(steps.stream().noneMatch(s -> s.contains("orders_2025_01")), "rows older than the retention are not moved: " + steps);
        assertTrue(steps.stream().anyMatch(s -> s.contains("ATTACH PARTITION \"sales\".\"orders_2027_02\"")), steps.toString());
        var report = PartitionPlan.report(retained, actual, DEC_15);
        assertEquals(5, report.defaultRows());
        assertEquals(List.of("2 row(s) in the default partition are older than the retention (before 2025-12-01) and are not moved"), report.notes());
    }

    @Test
    void weeksAndDaysAndDateKeys() {
        var weekly = new DesiredPartitions("app", "events", PartitionInterval.WEEK, 1, null, false, true);
        var actual = new ActualPartitions("app", "events", "app", "day", KeyType.DATE, null, List.of(), List.of("day"), false, 0, Map.of());
        // 2026-12-15 is a Tuesday of ISO week 51
        assertEquals(List.of("SET LOCAL ROLE \"app\"",
                "CREATE TABLE \"app\".\"events_2026w51\" PARTITION OF \"app\".\"events\" FOR VALUES FROM ('2026-12-14') TO ('2026-12-21')",
                "CREATE TABLE \"app\".\"events_2026w52\" PARTITION OF \"app\".\"events\" FOR VALUES FROM ('2026-12-21') TO ('2026-12-28')"),
                sql(PartitionPlan.plan(weekly, actual, DEC_15).ahead()));
        var daily = new DesiredPartitions("app", "events", PartitionInterval.DAY, 1, null, false, true);
        var ts = new ActualPartitions("app", "events", "app", "at", KeyType.TIMESTAMP, null, List.of(), List.of("at"), false, 0, Map.of());
        assertEquals("CREATE TABLE \"app\".\"events_2026_12_16\" PARTITION OF \"app\".\"events\" FOR VALUES FROM ('2026-12-16 00:00:00') TO ('2026-12-17 00:00:00')",
                sql(PartitionPlan.plan(daily, ts, DEC_15).ahead()).get(2));
    }

    @Test
    void hostileNamesAreQuotedAndOverlongOnesRefused() {
        var desired = new DesiredPartitions("s\"x", "o\"rders", PartitionInterval.MONTH, 1, null, false, true);
        var actual = new ActualPartitions("s\"x", "o\"rders", "ow\"ner", "c", KeyType.DATE, null, List.of(), List.of("c"), false, 0, Map.of());
        List<String> steps = sql(PartitionPlan.plan(desired, actual, DEC_15).ahead());
        assertEquals("SET LOCAL ROLE \"ow\"\"ner\"", steps.get(0));
        assertEquals("CREATE TABLE \"s\"\"x\".\"o\"\"rders_2026_12\" PARTITION OF \"s\"\"x\".\"o\"\"rders\" FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')", steps.get(1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new DesiredPartitions("s", "t".repeat(53), PartitionInterval.DAY, 1, null, false, true));
        assertTrue(e.getMessage().contains("must stay within 63 bytes"), e.getMessage());
    }

    @Test
    void boundsAsTheServerPrintsThem() {
        assertEquals(LocalDateTime.of(2027, 3, 1, 0, 0), PartitionCatalog.bound("'2027-03-01 01:00:00+01'", KeyType.TIMESTAMPTZ));
        assertEquals(LocalDateTime.of(2027, 3, 1, 0, 0), PartitionCatalog.bound("'2027-03-01 05:30:00+05:30'", KeyType.TIMESTAMPTZ));
        assertEquals(LocalDateTime.of(2027, 3, 1, 0, 0), PartitionCatalog.bound("'2027-03-01 00:00:00'", KeyType.TIMESTAMP));
        assertEquals(LocalDateTime.of(2027, 3, 1, 0, 0, 0, 500_000_000), PartitionCatalog.bound("'2027-03-01 00:00:00.5'", KeyType.TIMESTAMP));
        assertEquals(LocalDateTime.of(2027, 3, 1, 0, 0), PartitionCatalog.bound("'2027-03-01'", KeyType.DATE));
        assertEquals(null, PartitionCatalog.bound("MAXVALUE", KeyType.DATE));
        List<Partition> open = new ArrayList<>(List.of(month(2026, 12)));
        open.add(new Partition("sales", "orders_future", LocalDate.of(2027, 1, 1).atStartOfDay(), null));
        var report = PartitionPlan.report(MONTHLY, orders(open, Map.of(), false), DEC_15);
        assertEquals("MAXVALUE", report.newestBound());
        assertTrue(PartitionPlan.plan(MONTHLY, orders(open, Map.of(), false), DEC_15).isEmpty(), "an open-ended partition covers every month ahead");
    }
}
