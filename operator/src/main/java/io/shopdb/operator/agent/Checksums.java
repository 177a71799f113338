package io.shopdb.operator.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of backup files. Hashes are taken from the very bytes handed to storage on upload and from the
 * bytes read back on restore, so a file damaged at rest or in transit is caught before pg_restore sees it.
 */
public final class Checksums {
    private Checksums() {}

    /** Size and hex SHA-256 of a byte stream. */
    public record Digest(long size, String sha256) {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static Digest of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copy(in, OutputStream.nullOutputStream());
        }
    }

    public static Digest of(byte[] bytes) {
        return new Digest(bytes.length, hex(sha256().digest(bytes)));
    }

    /** Copies {@code in} to {@code out} while hashing, in one pass. */
    public static Digest copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
            out.write(buf, 0, n);
            total += n;
        }
        return new Digest(total, hex(md.digest()));
    }

    /** True when the digest has the expected size and hash (hash compared case-insensitively). */
    public static boolean matches(Digest actual, long expectedSize, String expectedSha256) {
        return actual.size() == expectedSize && actual.sha256().equalsIgnoreCase(expectedSha256);
    }
}
