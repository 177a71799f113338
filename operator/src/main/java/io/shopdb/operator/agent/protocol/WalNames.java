package io.shopdb.operator.agent.protocol;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names, as the server writes them into pg_wal and hands them to archive_command as
 * {@code %f}: a segment {@code TTTTTTTTLLLLLLLLSSSSSSSS} (timeline, then the segment number split in "log" and
 * "seg" halves), a timeline history file {@code TTTTTTTT.history}, a backup history file
 * {@code <segment>.XXXXXXXX.backup} and a partial segment {@code <segment>.partial} (the last segment of the old
 * timeline, archived at a promotion). Segments are 16 MiB, initdb's default: the only size the operator creates.
 */
public final class WalNames {
    public static final long SEGMENT_SIZE = 16L * 1024 * 1024;
    /** Segments per "log" file number: 0x100000000 / segment size. */
    static final long SEGMENTS_PER_LOG = 0x1_0000_0000L / SEGMENT_SIZE;
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern ANY = Pattern.compile("[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history");
    private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    private WalNames() {}

    /** A WAL segment: its timeline and its number (LSN / segment size). Ordered by number, then timeline. */
    public record Segment(int timeline, long number) implements Comparable<Segment> {
        public String fileName() {
            return String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / SEGMENTS_PER_LOG, number % SEGMENTS_PER_LOG);
        }

        /** The first LSN after this segment. */
        public long endLsn() {
            return (number + 1) * SEGMENT_SIZE;
        }

        @Override
        public int compareTo(Segment o) {
            int byNumber = Long.compare(number, o.number);
            return byNumber != 0 ? byNumber : Integer.compare(timeline, o.timeline);
        }
    }

    /** True for every name archive_command can be given (segment, history, backup history, partial). */
    public static boolean isWalFile(String name) {
        return name != null && ANY.matcher(name).matches();
    }

    public static boolean isHistory(String name) {
        return name.endsWith(".history");
    }

    /** The segment a WAL file name starts with (segments, partial and backup history files); null for a history file. */
    public static Segment segmentOf(String name) {
        if (name.length() < 24) {
            return null;
        }
        Matcher m = SEGMENT.matcher(name.substring(0, 24));
        if (!m.matches()) {
            return null;
        }
        return new Segment(Integer.parseUnsignedInt(m.group(1), 16),
                Long.parseLong(m.group(2), 16) * SEGMENTS_PER_LOG + Long.parseLong(m.group(3), 16));
    }

    /** True for a plain, complete segment (what restore_command replays). */
    public static boolean isSegment(String name) {
        return name.length() == 24 && SEGMENT.matcher(name).matches();
    }

    /** Parses an LSN written as PostgreSQL writes it ({@code 0/3000028}). */
    public static long lsn(String text) {
        Matcher m = LSN.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an LSN: " + text + " (expected e.g. 0/3000028)");
        }
        return (Long.parseLong(m.group(1), 16) << 32) | Long.parseLong(m.group(2), 16);
    }

    public static String lsnText(long lsn) {
        return String.format(Locale.ROOT, "%X/%X", lsn >>> 32, lsn & 0xFFFF_FFFFL);
    }

    /** The segment holding {@code lsn} on {@code timeline}. */
    public static Segment segmentAt(int timeline, long lsn) {
        return new Segment(timeline, lsn / SEGMENT_SIZE);
    }
}
