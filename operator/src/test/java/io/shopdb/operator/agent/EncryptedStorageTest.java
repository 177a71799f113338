package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client-side encryption of stored objects: round trips at chunk boundaries, rotation, wrong and missing keys, tampering. */
class EncryptedStorageTest {
    static final byte[] K1 = bytes(32, 1);
    static final byte[] K2 = bytes(32, 2);
    @TempDir Path tmp;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    EncryptedStorage storage(Map<String, byte[]> keys, String writeKeyId) throws IOException {
        return new EncryptedStorage(new DirectoryStorage(tmp.resolve("store")), new EncryptionKeys(keys, writeKeyId));
    }

    static byte[] read(BackupStorage s, String key) throws IOException {
        try (InputStream in = s.get(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void everySizeRoundTripsAndTheStoreHoldsOnlyCiphertext() throws IOException {
        EncryptedStorage s = storage(Map.of("k1", K1), "k1");
        int chunk = EncryptedStorage.CHUNK;
        for (int size : new int[] {0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5}) {
            byte[] data = bytes(size, size);
            s.put("put/" + size, new ByteArrayInputStream(data), data.length);
            assertArrayEquals(data, read(s, "put/" + size), "put " + size);
            assertEquals(size, s.putStream("stream/" + size, new ByteArrayInputStream(data)), "putStream returns the plaintext's size");
            assertArrayEquals(data, read(s, "stream/" + size), "putStream " + size);
            byte[] stored = Files.readAllBytes(tmp.resolve("store/put/" + size));
            assertArrayEquals(EncryptedStorage.MAGIC, Arrays.copyOf(stored, 8));
            assertEquals(Files.size(tmp.resolve("store/stream/" + size)), stored.length, "the length put announces is the stored one");
        }
        byte[] text = "CREATE TABLE customers (email text); -- every row of the shop".getBytes(StandardCharsets.UTF_8);
        s.put("dump", new ByteArrayInputStream(text), text.length);
        String stored = new String(Files.readAllBytes(tmp.resolve("store/dump")), StandardCharsets.ISO_8859_1);
        assertFalse(stored.contains("customers"), "no plaintext in the store");
    }

    @Test
    void keysRotateAndAMissingOrChangedKeyIsNamed() throws IOException {
        storage(Map.of("k1", K1), "k1").put("old", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3);
        EncryptedStorage rotated = storage(Map.of("k1", K1, "k2", K2), "k2");
        assertArrayEquals(new byte[] {1, 2, 3}, read(rotated, "old"), "an old key stays readable");
        rotated.put("new", new ByteArrayInputStream(new byte[] {4}), 1);
        assertTrue(new String(Files.readAllBytes(tmp.resolve("store/new")), StandardCharsets.ISO_8859_1).contains("k2"), "new files use the new key");

        AgentException missing = assertThrows(AgentException.class, () -> read(storage(Map.of("k2", K2), "k2"), "old"));
        assertEquals(AgentException.Reason.KEY, missing.reason());
        assertTrue(missing.getMessage().contains("'k1'") && missing.getMessage().contains("does not hold"), missing.getMessage());

        AgentException changed = assertThrows(AgentException.class, () -> read(storage(Map.of("k1", K2), null), "old"));
        assertTrue(changed.getMessage().contains("another key named 'k1'"), changed.getMessage());

        AgentException none = assertThrows(AgentException.class, () -> read(storage(Map.of(), null), "old"));
        assertTrue(none.getMessage().contains("no key Secret is given"), none.getMessage());

        AgentException writeKey = assertThrows(AgentException.class, () -> storage(Map.of("k1", K1), "k3"));
        assertTrue(writeKey.getMessage().contains("'k3'") && writeKey.getMessage().contains("[k1]"), writeKey.getMessage());
    }

    @Test
    void aChangedTruncatedOrExtendedObjectFailsAuthentication() throws IOException {
        EncryptedStorage s = storage(Map.of("k1", K1), "k1");
        byte[] data = bytes(2 * EncryptedStorage.CHUNK + 100, 7);
        s.put("wal", new ByteArrayInputStream(data), data.length);
        Path file = tmp.resolve("store/wal");
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        Files.write(file, flipped);
        assertTrue(assertThrows(IOException.class, () -> read(s, "wal")).getMessage().contains("failed authentication"));

        Files.write(file, Arrays.copyOf(good, good.length - 100 - EncryptedStorage.TAG)); // the last chunk dropped whole
        assertTrue(assertThrows(IOException.class, () -> read(s, "wal")).getMessage().contains("failed authentication"),
                "a dropped last chunk is noticed: the chunk before it is not marked last");

        byte[] longer = Arrays.copyOf(good, good.length + 5);
        Files.write(file, longer);
        assertThrows(IOException.class, () -> read(s, "wal"));

        Files.write(file, good);
        assertArrayEquals(data, read(s, "wal"));
    }

    @Test
    void aMovedObjectFailsAuthentication() throws IOException {
        EncryptedStorage s = storage(Map.of("k1", K1), "k1");
        s.put("wal/0001", new ByteArrayInputStream(new byte[] {1}), 1);
        s.put("wal/0002", new ByteArrayInputStream(new byte[] {2}), 1);
        Files.copy(tmp.resolve("store/wal/0001"), tmp.resolve("store/wal/0002"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(assertThrows(IOException.class, () -> read(s, "wal/0002")).getMessage().contains("failed authentication"),
                "an older segment under a newer one's name is refused");
        assertArrayEquals(new byte[] {1}, read(s, "wal/0001"));
    }

    @Test
    void plainObjectsAreRefusedUnlessAllowedAndNothingIsEncryptedWithoutAKeyToWriteWith() throws IOException {
        new DirectoryStorage(tmp.resolve("store")).put("before", new ByteArrayInputStream(new byte[] {9, 9}), 2);
        AgentException slipped = assertThrows(AgentException.class, () -> read(storage(Map.of("k1", K1), "k1"), "before"));
        assertEquals(AgentException.Reason.KEY, slipped.reason());
        assertTrue(slipped.getMessage().contains("is not encrypted"), slipped.getMessage());
        EncryptedStorage allowing = new EncryptedStorage(new DirectoryStorage(tmp.resolve("store")), new EncryptionKeys(Map.of("k1", K1), "k1"), true);
        assertArrayEquals(new byte[] {9, 9}, read(allowing, "before"), "written before encryption was on, and allowed");
        EncryptedStorage off = storage(Map.of(), null);
        off.put("plain", new ByteArrayInputStream(new byte[] {5}), 1);
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(tmp.resolve("store/plain")));
    }

    @Test
    void keysAreReadAsBase64HexOrRawFromAMountedSecret() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("keys"));
        Files.writeString(dir.resolve("b64"), Base64.getEncoder().encodeToString(K1) + "\n");
        Files.writeString(dir.resolve("hex"), HexFormat.of().formatHex(K2));
        Files.write(dir.resolve("raw"), K1);
        Files.createDirectories(dir.resolve("..2026_12_06"));
        EncryptionKeys keys = EncryptionKeys.fromEnv(Map.of(EncryptionKeys.KEYS_DIR_ENV, dir.toString(), EncryptionKeys.KEY_ID_ENV, "hex"));
        assertArrayEquals(K1, keys.key("b64"));
        assertArrayEquals(K2, keys.key("hex"));
        assertArrayEquals(K1, keys.key("raw"));
        assertEquals("hex", keys.writeKeyId());
        Files.writeString(dir.resolve("short"), Base64.getEncoder().encodeToString(new byte[16]));
        AgentException e = assertThrows(AgentException.class, () -> EncryptionKeys.load(dir, null));
        assertTrue(e.getMessage().contains("'short' is not 256 bits"), e.getMessage());
    }
}
