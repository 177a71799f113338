package io.shopdb.operator.sql;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;

/**
 * The width of one partition. Intervals start at midnight (UTC for timestamptz keys): a day, an ISO week
 * (Monday, as PostgreSQL's date_trunc('week') counts), or a calendar month. The name suffix sorts like the
 * dates it covers and matches the shop's hand-made names ({@code orders_2026_03}), so one table never
 * carries two naming schemes.
 */
public enum PartitionInterval {
    DAY("day"), WEEK("week"), MONTH("month");

    private final String field;

    PartitionInterval(String field) {
        this.field = field;
    }

    /** The date_trunc field name that gives the same interval starts in SQL. */
    public String field() {
        return field;
    }

    /** The first day of the interval holding {@code day}. */
    public LocalDate start(LocalDate day) {
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }

    /** The start {@code n} intervals after (or before, when negative) an interval start. */
    public LocalDate plus(LocalDate start, long n) {
        return switch (this) {
            case DAY -> start.plusDays(n);
            case WEEK -> start.plusWeeks(n);
            case MONTH -> start.plusMonths(n);
        };
    }

    /** The suffix of the partition of the interval starting at {@code start}: 2026_03, 2026w09, 2026_03_15. */
    public String suffix(LocalDate start) {
        return switch (this) {
            case DAY -> String.format("%04d_%02d_%02d", start.getYear(), start.getMonthValue(), start.getDayOfMonth());
            case WEEK -> String.format("%04dw%02d", start.get(IsoFields.WEEK_BASED_YEAR), start.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH -> String.format("%04d_%02d", start.getYear(), start.getMonthValue());
        };
    }

    /** The longest suffix, with its underscore: names are checked against PostgreSQL's 63 bytes up front. */
    public static final int MAX_SUFFIX = "_2026_03_15".length();
}
