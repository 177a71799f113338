package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import java.util.List;
import java.util.Locale;

/**
 * A compression choice, written {@code none}, {@code gzip}, {@code gzip:6}, {@code zstd:3} or {@code lz4}.
 * pg_dump 15 compresses only with gzip (-Z 0-9); zstd and lz4 arrived in pg_dump 16, so they are refused
 * for an older pg_dump instead of silently falling back. pg_basebackup 15 knows all three.
 */
public record Compression(String method, Integer level) {
    public static final Compression NONE = new Compression("none", null);
    public static final Compression GZIP = new Compression("gzip", 6);

    public Compression {
        method = method.toLowerCase(Locale.ROOT);
        if (!List.of("none", "gzip", "zstd", "lz4").contains(method)) {
            throw new AgentException(AgentException.Reason.INVALID, "unknown compression '" + method + "' (none, gzip, zstd, lz4)");
        }
        if (method.equals("none") && level != null) {
            throw new AgentException(AgentException.Reason.INVALID, "compression none takes no level");
        }
        int max = switch (method) {
            case "gzip" -> 9;
            case "zstd" -> 22;
            case "lz4" -> 12;
            default -> 0;
        };
        if (level != null && (level < 1 || level > max)) {
            throw new AgentException(AgentException.Reason.INVALID, "compression level for " + method + " must be 1.." + max);
        }
    }

    public static Compression parse(String text) {
        String[] parts = text.trim().split(":", 2);
        try {
            return new Compression(parts[0], parts.length == 2 ? Integer.valueOf(parts[1]) : null);
        } catch (NumberFormatException e) {
            throw new AgentException(AgentException.Reason.INVALID, "compression level must be a number: " + text);
        }
    }

    public boolean none() {
        return method.equals("none");
    }

    /** pg_dump options for a pg_dump of the given major version. */
    public List<String> pgDumpArgs(int pgDumpMajor) {
        if (pgDumpMajor >= 16) {
            return List.of("--compress=" + this);
        }
        return switch (method) {
            case "none" -> List.of("--compress=0");
            case "gzip" -> List.of("--compress=" + (level == null ? 6 : level));
            default -> throw new AgentException(AgentException.Reason.INVALID,
                    "pg_dump " + pgDumpMajor + " compresses only with gzip; " + method + " needs pg_dump 16 or newer");
        };
    }

    /** pg_basebackup options: compress on the client, so the server spends no CPU on it. */
    public List<String> pgBasebackupArgs() {
        return List.of(none() ? "--compress=none" : "--compress=client-" + this);
    }

    /** The suffix pg_basebackup gives its tar files with this compression. */
    public String tarSuffix() {
        return switch (method) {
            case "gzip" -> ".gz";
            case "zstd" -> ".zst";
            case "lz4" -> ".lz4";
            default -> "";
        };
    }

    @Override
    public String toString() {
        return level == null ? method : method + ":" + level;
    }
}
