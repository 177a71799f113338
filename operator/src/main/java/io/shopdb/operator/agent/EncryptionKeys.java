package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup encryption keys an agent holds: the files of a mounted Secret (one key per Secret key, its name the key
 * id), each 256 bits given as 32 raw bytes, 64 hex digits or base64 ({@code openssl rand -base64 32}). New files are
 * encrypted with the key named by {@code writeKeyId}; every key can decrypt, so an old key stays in the Secret until the
 * last file encrypted with it is gone (rotation). A key's fingerprint (a hash of it, which reveals nothing of it) is
 * stored with each file, so a wrong key of the right name is told apart from a damaged file.
 */
public final class EncryptionKeys {
    /** Environment of the agent: the folder of the mounted key Secret, and the id of the key to encrypt with. */
    public static final String KEYS_DIR_ENV = "SHOPDB_ENCRYPTION_KEYS";
    public static final String KEY_ID_ENV = "SHOPDB_ENCRYPTION_KEY_ID";
    /** "true": an encrypted storage still reads objects stored before encryption was turned on. */
    public static final String READ_UNENCRYPTED_ENV = "SHOPDB_ENCRYPTION_READ_UNENCRYPTED";
    static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final Map<String, byte[]> keys;
    private final String writeKeyId;

    EncryptionKeys(Map<String, byte[]> keys, String writeKeyId) {
        this.keys = new TreeMap<>(keys);
        this.writeKeyId = writeKeyId;
        if (writeKeyId != null && !this.keys.containsKey(writeKeyId)) {
            throw new AgentException(AgentException.Reason.KEY, "the encryption key '" + writeKeyId
                    + "' (encryption.keyId) is not in the key Secret, which has " + (this.keys.isEmpty() ? "no key" : this.keys.keySet())
                    + ": add it, or name one of those");
        }
    }

    /** No keys: nothing is encrypted, and reading an encrypted file fails naming its key. */
    public static EncryptionKeys none() {
        return new EncryptionKeys(Map.of(), null);
    }

    /** From the agent's environment ({@value #KEYS_DIR_ENV}, {@value #KEY_ID_ENV}); {@link #none()} without them. */
    public static EncryptionKeys fromEnv(Map<String, String> env) {
        String dir = env.get(KEYS_DIR_ENV);
        String keyId = env.get(KEY_ID_ENV);
        if (dir == null || dir.isBlank()) {
            if (keyId != null && !keyId.isBlank()) {
                throw new AgentException(AgentException.Reason.KEY, KEY_ID_ENV + " is set but " + KEYS_DIR_ENV + " is not: no key to encrypt with");
            }
            return none();
        }
        return load(Path.of(dir), keyId == null || keyId.isBlank() ? null : keyId);
    }

    /** Every file of {@code dir} whose name is a key id (a Secret volume's own ..data entries are skipped). */
    static EncryptionKeys load(Path dir, String writeKeyId) {
        Map<String, byte[]> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("..") || !KEY_ID.matcher(name).matches() || Files.isDirectory(f)) {
                    continue;
                }
                keys.put(name, parse(name, Files.readAllBytes(f)));
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.KEY, "cannot read the encryption keys in " + dir + ": " + e.getMessage(), e);
        }
        return new EncryptionKeys(keys, writeKeyId);
    }

    /** 32 raw bytes, or 64 hex digits, or base64 of 32 bytes (surrounding whitespace ignored). */
    static byte[] parse(String keyId, byte[] content) {
        if (content.length == 32) {
            return content.clone();
        }
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (HEX.matcher(text).matches()) {
            return HexFormat.of().parseHex(text);
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new AgentException(AgentException.Reason.KEY, "the encryption key '" + keyId + "' is not 256 bits: give 32 bytes as base64"
                + " (openssl rand -base64 32), 64 hex digits or 32 raw bytes");
    }

    /** The key new files are encrypted with, or null: files are written as they are. */
    String writeKeyId() {
        return writeKeyId;
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    byte[] key(String keyId) {
        return keys.get(keyId);
    }

    /** 8 bytes identifying a key without revealing it. */
    static byte[] fingerprint(byte[] key) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("shopdb backup key fingerprint".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(md.digest(key), 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "EncryptionKeys" + keys.keySet() + (writeKeyId == null ? "" : ", writing with " + writeKeyId);
    }
}
