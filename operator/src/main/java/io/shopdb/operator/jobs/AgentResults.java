package io.shopdb.operator.jobs;

import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.BackupFile;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Pure mapping of what an agent Job left behind (exit code and the {@link AgentSummary} in its termination
 * message) to status fields and condition reasons. The exit code is the contract ({@link AgentException.Reason});
 * the summary adds numbers and the agent's message, which the agent writes without secrets.
 */
public final class AgentResults {
    /** A status beyond this many files leaves the list to the manifest (status objects should stay small). */
    static final int MAX_FILES_IN_STATUS = 30;

    private AgentResults() {}

    /** Failure of one agent run, in the terms of conditions: a CamelCase reason, a message, whether to try again. */
    public record Failure(String reason, String message, boolean retryable) {}

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
    public static Failure failure(Integer exitCode, AgentSummary result) {
        AgentException.Reason r = exitCode == null ? null : reasonOf(exitCode);
        String message = result.message() != null ? result.message()
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
            case STORAGE_FULL -> "StorageFull";
            case WAL_CONFLICT -> "WalConflict";
            case KEY -> "EncryptionKeyProblem";
        };
        boolean retryable = r == AgentException.Reason.TOOL_FAILED || r == AgentException.Reason.IO;
        return new Failure(reason, r.name() + ": " + message, retryable);
    }

    /** The agent's backup summary onto the status. */
    public static void applyBackup(PostgresBackupStatus status, AgentSummary result) {
        if (result.backupId() != null) {
            status.setBackupId(result.backupId());
        }
        status.setSizeBytes(result.totalBytes());
        status.setFileCount(result.files());
        status.setManifestSha256(result.manifestSha256());
        status.setPostgresVersion(result.serverVersion());
        status.setDuration(duration(result.durationMillis()));
        if (result.databases() != null) {
            status.setDatabases(List.copyOf(result.databases()));
        }
        var wal = result.walRange();
        if (wal != null) {
            status.setWalRange(wal.text());
        }
        List<BackupFile> list = new ArrayList<>();
        if (result.fileList() != null && result.fileList().size() <= MAX_FILES_IN_STATUS) {
            for (AgentSummary.File f : result.fileList()) {
                list.add(new BackupFile(f.path(), f.database(), f.size(), f.sha256()));
            }
        }
        status.setFiles(list);
    }

    /** The agent's restore result onto the status. */
    public static void applyRestore(PostgresRestoreStatus status, AgentSummary result) {
        status.setDuration(duration(result.durationMillis()));
        status.setRowCounts(result.rowCounts() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(result.rowCounts()));
        status.setTables(status.getRowCounts().isEmpty() ? null : status.getRowCounts().size());
    }

    /** A drill's verdict in words: its mismatches, or why it failed. */
    public static String drillMessage(boolean ok, Integer exitCode, AgentSummary result) {
        if (ok) {
            return "row counts and checks match (" + duration(result.durationMillis()) + ")";
        }
        if (result.mismatches() != null && !result.mismatches().isEmpty()) {
            return "mismatches: " + String.join("; ", result.mismatches());
        }
        return failure(exitCode, result).message();
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
}
