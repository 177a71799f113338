package io.shopdb.operator.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What one agent run reports: the JSON line it prints and writes as the Job's termination message, and what
 * the operator reads back, both through {@link #MAPPER}. Every field is optional; which ones are set depends on
 * the command (backup: the manifest's summary; restore: row counts; verify: ok and mismatches; unpack: a
 * summary or {@code skipped}; delete: {@code deleted}; import: ok, tables checked, the first mismatches of
 * {@code mismatchCount}, the source roles not carried over and the snapshot; archive-wal/restore-wal: {@code walFile}
 * and its {@code sha256}; prepare-recovery, list-wal, prune-wal: {@code firstWal}, {@code lastWal}, {@code walFiles};
 * any failure: {@code error} and {@code message}).
 * Never holds a secret: the agent writes names, numbers and its own messages only.
 *
 * @param files     number of stored files; {@code fileList} carries them while the message stays small
 * @param truncated bulky fields were dropped to fit the kubelet's 4096-byte termination message
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentSummary(
        String backupId, String method, String format, List<String> databases, String serverVersion, String startedAt,
        Long durationMillis, Integer files, Long totalBytes, String manifestSha256, WalRange walRange, List<File> fileList,
        String sourceDatabase, String targetDatabase, Map<String, Long> rowCounts,
        Boolean ok, String database, String scratchDatabase, List<String> mismatches,
        Integer tables, Integer mismatchCount, List<String> rolesNotCarriedOver, String snapshot,
        String skipped, String deleted, String error, String message, Boolean truncated,
        String walFile, String sha256, String firstWal, String lastWal, Integer walFiles) {

    /** The one mapper of both sides; newer agents may add fields, so unknown ones are ignored. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The agent also writes its summary to the file this variable names (the Job sets the container's terminationMessagePath). */
    public static final String TERMINATION_LOG_ENV = "SHOPDB_TERMINATION_LOG";
    /** The kubelet keeps at most 4096 bytes of a termination message. */
    public static final int TERMINATION_LIMIT = 4096;
    /** Dropped, in this order, until a summary fits the termination message (the manifest in storage has them all). */
    static final List<String> DROPPABLE = List.of("fileList", "rowCounts", "rolesNotCarriedOver", "mismatches", "databases");
    private static final AgentSummary EMPTY = new Builder().build();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record File(String path, String database, long size, String sha256) {}

    /**
     * The WAL a physical backup needs: from {@code startLsn} to {@code endLsn} on {@code timeline}. Its text form,
     * {@code timeline/startLsn-endLsn} (e.g. {@code 1/0/3000028-0/3000100}), is PostgresBackup status.walRange.
     */
    public record WalRange(int timeline, String startLsn, String endLsn) {
        public String text() {
            return timeline + "/" + startLsn + "-" + endLsn;
        }

        /** The range a {@link #text()} describes, or empty when the text is not one (a status written by hand). */
        public static java.util.Optional<WalRange> parse(String text) {
            if (text == null) {
                return java.util.Optional.empty();
            }
            int slash = text.indexOf('/');
            int dash = text.indexOf('-');
            try {
                var range = new WalRange(Integer.parseInt(text.substring(0, slash)), text.substring(slash + 1, dash), text.substring(dash + 1));
                WalNames.lsn(range.startLsn());
                WalNames.lsn(range.endLsn());
                return java.util.Optional.of(range);
            } catch (RuntimeException e) {
                return java.util.Optional.empty();
            }
        }
    }

    public static AgentSummary failure(String error, String message) {
        return new Builder().error(error).message(message).build();
    }

    public static AgentSummary skipped(String why) {
        return new Builder().skipped(why).build();
    }

    public static AgentSummary deleted(String backupId) {
        return new Builder().deleted(backupId).build();
    }

    /** One JSON line. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("summary not serializable", e);
        }
    }

    /** {@link #toJson()}, made to fit {@link #TERMINATION_LIMIT} bytes by dropping bulky fields, then cutting the message. */
    public String toTerminationMessage() {
        String json = toJson();
        if (fits(json)) {
            return json;
        }
        ObjectNode node = MAPPER.valueToTree(this);
        for (String field : DROPPABLE) {
            if (node.remove(field) != null) {
                node.put("truncated", true);
                json = node.toString();
                if (fits(json)) {
                    return json;
                }
            }
        }
        if (message != null && message.length() > 2000) {
            node.put("message", message.substring(0, 2000));
            node.put("truncated", true);
        }
        return node.toString();
    }

    /** A termination message read back; an empty summary when there is none or it is not ours (e.g. OOM-killed agent). */
    public static AgentSummary parse(String terminationMessage) {
        if (terminationMessage == null || terminationMessage.isBlank()) {
            return EMPTY;
        }
        try {
            return MAPPER.readValue(terminationMessage.strip(), AgentSummary.class);
        } catch (JsonProcessingException e) {
            return EMPTY;
        }
    }

    private static boolean fits(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= TERMINATION_LIMIT;
    }

    /** Fluent construction for the agent; unset fields stay null and are not written. */
    public static final class Builder {
        private String backupId, method, format, serverVersion, startedAt, manifestSha256, sourceDatabase, targetDatabase;
        private String database, scratchDatabase, skipped, deleted, error, message;
        private List<String> databases, mismatches, rolesNotCarriedOver;
        private Long durationMillis, totalBytes;
        private Integer files, tables, mismatchCount;
        private String snapshot;
        private WalRange walRange;
        private List<File> fileList;
        private Map<String, Long> rowCounts;
        private Boolean ok, truncated;
        private String walFile, sha256, firstWal, lastWal;
        private Integer walFiles;

        public Builder backupId(String v) { backupId = v; return this; }
        public Builder method(String v) { method = v; return this; }
        public Builder format(String v) { format = v; return this; }
        public Builder databases(List<String> v) { databases = v; return this; }
        public Builder serverVersion(String v) { serverVersion = v; return this; }
        public Builder startedAt(String v) { startedAt = v; return this; }
        public Builder durationMillis(long v) { durationMillis = v; return this; }
        public Builder files(int v) { files = v; return this; }
        public Builder totalBytes(long v) { totalBytes = v; return this; }
        public Builder manifestSha256(String v) { manifestSha256 = v; return this; }
        public Builder walRange(WalRange v) { walRange = v; return this; }
        public Builder fileList(List<File> v) { fileList = v; return this; }
        public Builder sourceDatabase(String v) { sourceDatabase = v; return this; }
        public Builder targetDatabase(String v) { targetDatabase = v; return this; }
        public Builder rowCounts(Map<String, Long> v) { rowCounts = v; return this; }
        public Builder ok(boolean v) { ok = v; return this; }
        public Builder database(String v) { database = v; return this; }
        public Builder scratchDatabase(String v) { scratchDatabase = v; return this; }
        public Builder mismatches(List<String> v) { mismatches = v; return this; }
        public Builder tables(int v) { tables = v; return this; }
        public Builder mismatchCount(int v) { mismatchCount = v; return this; }
        public Builder rolesNotCarriedOver(List<String> v) { rolesNotCarriedOver = v; return this; }
        public Builder snapshot(String v) { snapshot = v; return this; }
        public Builder skipped(String v) { skipped = v; return this; }
        public Builder deleted(String v) { deleted = v; return this; }
        public Builder error(String v) { error = v; return this; }
        public Builder message(String v) { message = v; return this; }
        public Builder truncated(boolean v) { truncated = v; return this; }
        public Builder walFile(String v) { walFile = v; return this; }
        public Builder sha256(String v) { sha256 = v; return this; }
        public Builder firstWal(String v) { firstWal = v; return this; }
        public Builder lastWal(String v) { lastWal = v; return this; }
        public Builder walFiles(int v) { walFiles = v; return this; }

        public AgentSummary build() {
            return new AgentSummary(backupId, method, format, databases, serverVersion, startedAt, durationMillis, files, totalBytes,
                    manifestSha256, walRange, fileList, sourceDatabase, targetDatabase, rowCounts, ok, database, scratchDatabase,
                    mismatches, tables, mismatchCount, rolesNotCarriedOver, snapshot, skipped, deleted, error, message, truncated,
                    walFile, sha256, firstWal, lastWal, walFiles);
        }
    }
}
