package io.shopdb.operator.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Short content hashes for names and change detection (not for secrets): the first bytes of a SHA-256, in hex. */
public final class Hashes {
    private Hashes() {}

    /** The first {@code bytes} bytes of the SHA-256 of {@code text} (UTF-8), as 2 x bytes hex digits. */
    public static String sha256Hex(String text, int bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
