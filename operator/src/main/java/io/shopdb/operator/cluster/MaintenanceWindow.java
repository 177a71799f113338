package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.MaintenanceWindowSpec;
import io.shopdb.operator.api.v1alpha1.Names;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/** Whether an instant lies in a cluster's maintenance window (spec.maintenanceWindow, UTC). Pure. */
final class MaintenanceWindow {
    private MaintenanceWindow() {}

    /** True when {@code now} is inside a window that opened on one of the days (a window may run past midnight); false without a window. */
    static boolean isOpen(MaintenanceWindowSpec window, Instant now) {
        if (window == null || window.getStart() == null || window.getDuration() == null) {
            return false;
        }
        Set<DayOfWeek> days = days(window);
        LocalTime start = LocalTime.parse(window.getStart());
        Duration length = Names.duration(window.getDuration());
        ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
        // the window that opened today, or on one of the days before that could still be open (at most 99 hours long)
        for (int back = 0; back <= length.toDays() + 1; back++) {
            ZonedDateTime opened = utc.toLocalDate().minusDays(back).atTime(start).atZone(ZoneOffset.UTC);
            if (days.contains(opened.getDayOfWeek()) && !opened.isAfter(utc) && utc.isBefore(opened.plus(length))) {
                return true;
            }
        }
        return false;
    }

    private static Set<DayOfWeek> days(MaintenanceWindowSpec window) {
        if (window.getDays() == null || window.getDays().isEmpty()) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        window.getDays().forEach(d -> out.add(DayOfWeek.values()[d.ordinal()]));
        return out;
    }
}
