package io.shopdb.operator.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopdb.operator.agent.AgentException;
import io.shopdb.operator.api.v1alpha1.BackupFile;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pure mapping of what an agent Job left behind (exit code and the JSON result in its termination message)
 * to status fields and condition reasons. The exit code is the contract ({@link AgentException.Reason});
 * the JSON adds numbers and the agent's message, which the agent writes without secrets.
 */
public final class AgentResults {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A status beyond this many files leaves the list to the manifest (status objects should stay small). */
    static final int MAX_FILES_IN_STATUS = 30;

    private AgentResults() {}

    /** Failure of one agent run, in the terms of conditions: a CamelCase reason, a message, whether to try again. */
    public record Failure(String reason, String message, boolean retryable) {}

    public static Map<String, Object> parse(String terminationMessage) {
        if (terminationMessage == null || terminationMessage.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(terminationMessage.strip(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            return Map.of();
        }
    }

    public static AgentException.Reason reasonOf(int exitCode) {
        for (AgentException.Reason r : AgentException.Reason.values()) {
            if (r.exitCode == exitCode) {
                return r;
            }
        }
        return null;
    }

    /**
     * Server or storage trouble (tools failed, I/O) and deaths without a reason (OOM kill, node loss) may pass
     * on a new attempt; a checksum mismatch, a bad request, a too-new dump or a missing backup never will.
     */
    public static Failure failure(Integer exitCode, Map<String, Object> result) {
        AgentException.Reason r = exitCode == null ? null : reasonOf(exitCode);
        String message = result.get("message") instanceof String m ? m
                : "the agent exited with code " + exitCode + (exitCode != null && exitCode >= 128 ? " (killed by signal " + (exitCode - 128) + ")" : "");
        if (r == null) {
            return new Failure("AgentFailed", message, true);
        }
        String reason = switch (r) {
            case INVALID -> "InvalidRequest";
            case CHECKSUM_MISMATCH -> "ChecksumMismatch";
            case TARGET_NOT_EMPTY -> "TargetNotEmpty";
            case VERSION_TOO_NEW -> "VersionTooNew";
            case NOT_FOUND -> "BackupNotFound";
            case TOOL_FAILED -> "ToolFailed";
            case IO -> "IoError";
            case VERIFY_FAILED -> "VerifyFailed";
        };
        boolean retryable = r == AgentException.Reason.TOOL_FAILED || r == AgentException.Reason.IO;
        return new Failure(reason, r.name() + ": " + message, retryable);
    }

    /** The agent's backup summary onto the status. */
    public static void applyBackup(PostgresBackupStatus status, Map<String, Object> result) {
        if (result.get("backupId") instanceof String id) {
            status.setBackupId(id);
        }
        status.setSizeBytes(number(result.get("totalBytes")));
        Long files = number(result.get("files"));
        status.setFileCount(files == null ? null : files.intValue());
        status.setManifestSha256((String) result.get("manifestSha256"));
        status.setPostgresVersion((String) result.get("serverVersion"));
        status.setDuration(duration(number(result.get("durationMillis"))));
        if (result.get("databases") instanceof List<?> dbs) {
            status.setDatabases(dbs.stream().map(String::valueOf).toList());
        }
        if (result.get("walRange") instanceof Map<?, ?> wal) {
            status.setWalRange(wal.get("timeline") + "/" + wal.get("startLsn") + "-" + wal.get("endLsn"));
        }
        List<BackupFile> list = new ArrayList<>();
        if (result.get("fileList") instanceof List<?> entries && entries.size() <= MAX_FILES_IN_STATUS) {
            for (Object o : entries) {
                if (o instanceof Map<?, ?> f) {
                    list.add(new BackupFile((String) f.get("path"), (String) f.get("database"), number(f.get("size")), (String) f.get("sha256")));
                }
            }
        }
        status.setFiles(list);
    }

    /** The agent's restore result onto the status. */
    public static void applyRestore(PostgresRestoreStatus status, Map<String, Object> result) {
        status.setDuration(duration(number(result.get("durationMillis"))));
        Map<String, Long> counts = new LinkedHashMap<>();
        if (result.get("rowCounts") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> counts.put(String.valueOf(k), number(v)));
        }
        status.setRowCounts(counts);
        status.setTables(counts.isEmpty() ? null : counts.size());
    }

    /** A human duration like 12.3s or 2m5.0s. */
    public static String duration(Long millis) {
        if (millis == null) {
            return null;
        }
        long minutes = millis / 60_000;
        double seconds = (millis % 60_000) / 1000.0;
        return (minutes > 0 ? minutes + "m" : "") + String.format(Locale.ROOT, "%.1fs", seconds);
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
