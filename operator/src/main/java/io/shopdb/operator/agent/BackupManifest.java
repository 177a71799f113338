package io.shopdb.operator.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a backup is, written as {@code <backupId>/manifest.json} after every data file is stored. It is
 * self-sufficient on purpose: list, restore and verify work from storage alone, with no Kubernetes
 * object (disaster recovery). A backup without a manifest is incomplete and is never listed.
 *
 * @param rowCounts database → "schema.table" → rows, counted in the snapshot the dump used (logical only)
 * @param consistency how the row counts relate to the dump, in words
 * @param encryption at-rest encryption asked of the storage (e.g. "sse:AES256"), or "none"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
        int manifestVersion,
        String backupId,
        Method method,
        Format format,
        String compression,
        List<String> databases,
        String serverVersion,
        int serverVersionNum,
        String toolVersion,
        Instant startedAt,
        Instant finishedAt,
        long durationMillis,
        List<FileEntry> files,
        long totalBytes,
        WalRange walRange,
        Map<String, Map<String, Long>> rowCounts,
        String consistency,
        String encryption) {

    public static final int VERSION = 1;
    public static final String FILE_NAME = "manifest.json";

    public enum Method {
        LOGICAL, PHYSICAL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Method of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** pg_dump -Fc, pg_dump -Fd, or pg_basebackup -Ft. */
    public enum Format {
        CUSTOM, DIRECTORY, TAR;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Format of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** One stored file; {@code path} is relative to the backup's folder, {@code database} null for physical. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileEntry(String path, String database, long size, String sha256) {}

    /** The WAL a physical backup needs to be consistent (from pg_basebackup's backup_manifest). */
    public record WalRange(int timeline, String startLsn, String endLsn) {}

    /** The server's major version (15 for 150018). */
    public int serverMajor() {
        return serverVersionNum / 10000;
    }

    public List<FileEntry> filesOf(String database) {
        return files.stream().filter(f -> database.equals(f.database())).toList();
    }

    public String keyOf(FileEntry file) {
        return backupId + "/" + file.path();
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer agents may add fields
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest not serializable", e);
        }
    }

    public static BackupManifest fromJson(byte[] json) throws IOException {
        BackupManifest m = JSON.readValue(json, BackupManifest.class);
        if (m.backupId() == null || m.method() == null || m.files() == null) {
            throw new IOException("not a backup manifest (backupId, method or files missing)");
        }
        if (m.manifestVersion() > VERSION) {
            throw new IOException("manifest version " + m.manifestVersion() + " is newer than this agent understands (" + VERSION + ")");
        }
        return m;
    }

    /** Shared JSON writer for results printed by the CLI. */
    static ObjectMapper json() {
        return JSON;
    }
}
