package io.shopdb.operator.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where backups live: a mounted directory or an S3-compatible bucket, behind the same four operations so
 * the backup, restore and list logic never knows which. Keys are '/'-separated and relative to the
 * storage's root (directory or bucket prefix), e.g. {@code 20240101-shop/manifest.json}.
 */
public interface BackupStorage extends AutoCloseable {

    /** Stores exactly {@code length} bytes read from {@code data} under {@code key}, replacing any old object. */
    void put(String key, InputStream data, long length) throws IOException;

    /**
     * Stores everything {@code data} yields until its end under {@code key}, its length not known beforehand (a tool's
     * output as it writes it); the object appears under its key only once complete. Returns the bytes stored.
     */
    long putStream(String key, InputStream data) throws IOException;

    /** Opens a stored object; {@link java.nio.file.NoSuchFileException} when there is none. */
    InputStream get(String key) throws IOException;

    /** Every object whose key starts with {@code keyPrefix} ("" for all), sorted by key. */
    List<StoredObject> list(String keyPrefix) throws IOException;

    /** Removes an object; a missing one is not an error (deletes are retried by retention). */
    void delete(String key) throws IOException;

    /** Where this storage points, for messages (never credentials). */
    String describe();

    default void putFile(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            put(key, in, Files.size(file));
        }
    }

    @Override
    default void close() {}

    record StoredObject(String key, long size) {}

    /** Rejects keys that could climb out of the root or make empty path segments. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("//")) {
            throw new IllegalArgumentException("invalid storage key: " + key);
        }
        for (String part : key.split("/")) {
            if (part.equals(".") || part.equals("..") || part.indexOf('\\') >= 0 || part.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid storage key: " + key);
            }
        }
        return key;
    }
}
