package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Client-side encryption of everything stored: backup files, manifests and archived WAL, before they leave the agent
 * (the storage, a PVC or a bucket, sees only ciphertext), with AES-256-GCM in chunks so a file of any size streams.
 *
 * <p>An encrypted object is a header, {@code SHOPDBE1}, the key id, the key's fingerprint and a 32-byte random salt,
 * then chunks of up to 64 KiB sealed with a key of the object's own (HMAC-SHA256 of the salt under the Secret's key, so
 * nonces never repeat under one key however many objects there are), each with its own nonce (chunk number and a
 * last-chunk flag) and the header plus the object's storage key as associated data: a changed byte, a reordered,
 * dropped or appended chunk, a truncation, another key or an object moved to another name all fail authentication.
 * Reading finds the key by the id in the header, so several keys can be held while they rotate; an object without the
 * header is refused unless reading unencrypted objects is allowed (files from before encryption). A missing key, or a key of
 * that id that is not the one it was written with, fails before any byte is returned, naming the key
 * ({@link AgentException.Reason#KEY}); since every restore, drill and recovery reads the manifest or the archive's files
 * first, a wrong key fails before anything is restored.
 *
 * <p>Sizes and SHA-256 in manifests stay those of the plaintext (they are computed above this storage).
 */
public final class EncryptedStorage implements BackupStorage {
    static final byte[] MAGIC = "SHOPDBE1".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 64 * 1024;
    static final int TAG = 16;
    /** Random bytes per object, from which its own key is derived: no two objects share a key, so chunk nonces never repeat. */
    static final int SALT = 32;
    /** The nonce's first 7 bytes: zero, since each object has a key of its own. */
    private static final byte[] PREFIX = new byte[7];
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackupStorage inner;
    private final EncryptionKeys keys;

    public EncryptedStorage(BackupStorage inner, EncryptionKeys keys) {
        this(inner, keys, false);
    }

    private final boolean readUnencrypted;

    /**
     * @param readUnencrypted with a key to write with, still read objects that carry no encryption header (stored
     *                        before encryption was turned on); otherwise such an object is refused, so that nobody can
     *                        slip a plaintext file into an encrypted storage
     */
    public EncryptedStorage(BackupStorage inner, EncryptionKeys keys, boolean readUnencrypted) {
        this.inner = inner;
        this.keys = keys;
        this.readUnencrypted = readUnencrypted || keys.writeKeyId() == null;
    }

    @Override
    public void put(String key, InputStream data, long length) throws IOException {
        if (keys.writeKeyId() == null) {
            inner.put(key, data, length);
            return;
        }
        byte[] header = header(keys.writeKeyId());
        long chunks = Math.max(1, (length + CHUNK - 1) / CHUNK);
        inner.put(key, new Sealing(header, data, key), header.length + length + chunks * TAG);
    }

    @Override
    public long putStream(String key, InputStream data) throws IOException {
        if (keys.writeKeyId() == null) {
            return inner.putStream(key, data);
        }
        Sealing sealing = new Sealing(header(keys.writeKeyId()), data, key);
        inner.putStream(key, sealing);
        return sealing.plaintextBytes;
    }

    @Override
    public InputStream get(String key) throws IOException {
        PushbackInputStream in = new PushbackInputStream(inner.get(key), MAGIC.length);
        try {
            byte[] start = in.readNBytes(MAGIC.length);
            in.unread(start);
            if (!Arrays.equals(start, MAGIC)) {
                if (!readUnencrypted) {
                    throw new AgentException(AgentException.Reason.KEY, key + " is not encrypted, but this storage is (encryption.keyId "
                            + keys.writeKeyId() + "): refusing a file that anyone with write access to the storage could have put there;"
                            + " set encryption.readUnencrypted while files from before encryption are still needed");
                }
                return in; // written before encryption was turned on
            }
            return new Opening(key, in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        return inner.list(keyPrefix);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(key);
    }

    @Override
    public String describe() {
        return inner.describe() + (keys.writeKeyId() == null ? "" : " (encrypted with key " + keys.writeKeyId() + ")");
    }

    @Override
    public void close() {
        inner.close();
    }

    private byte[] header(String keyId) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        byte[] salt = new byte[SALT];
        RANDOM.nextBytes(salt);
        return ByteBuffer.allocate(MAGIC.length + 1 + id.length + 8 + SALT).put(MAGIC).put((byte) id.length).put(id)
                .put(EncryptionKeys.fingerprint(keys.key(keyId))).put(salt).array();
    }

    /** The object's own AES key: HMAC-SHA256 of its salt under the key of the Secret (an HKDF extract step). */
    private static SecretKeySpec objectKey(byte[] key, byte[] salt) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update("shopdb object key".getBytes(StandardCharsets.US_ASCII));
            return new SecretKeySpec(mac.doFinal(salt), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** The associated data of every chunk: the header and the object's storage key, so an object moved to another name fails. */
    private static byte[] associated(byte[] header, String storageKey) {
        byte[] name = storageKey.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + name.length).put(header).put(name).array();
    }

    private static byte[] nonce(long chunk, boolean last) {
        if (chunk > 0xFFFFFFFFL) {
            throw new IllegalStateException("more than 2^32 chunks in one object");
        }
        return ByteBuffer.allocate(12).put(PREFIX).putInt((int) chunk).put((byte) (last ? 1 : 0)).array();
    }

    /** One AES-256-GCM instance per stream, initialised again for each chunk with that chunk's nonce. */
    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** Seals or opens {@code length} bytes of {@code in} as chunk number {@code chunk} into {@code out}; returns the bytes written. */
    private static int seal(Cipher c, int mode, SecretKeySpec key, long chunk, boolean last, byte[] aad,
                            byte[] in, int length, byte[] out) throws GeneralSecurityException {
        c.init(mode, key, new GCMParameterSpec(TAG * 8, nonce(chunk, last)));
        c.updateAAD(aad);
        return c.doFinal(in, 0, length, out, 0);
    }

    /** A stream served a chunk at a time: {@link #next()} makes the following chunk, null after the last. */
    private abstract static class Chunked extends InputStream {
        private byte[] out = new byte[0];
        private int pos;

        abstract byte[] next() throws IOException;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos >= out.length) {
                byte[] chunk = next();
                if (chunk == null) {
                    return -1;
                }
                out = chunk;
                pos = 0;
            }
            int n = Math.min(len, out.length - pos);
            System.arraycopy(out, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Whether {@code in} is at its end, without taking the next byte from it. */
        static boolean atEnd(PushbackInputStream in) throws IOException {
            int next = in.read();
            if (next < 0) {
                return true;
            }
            in.unread(next);
            return false;
        }
    }

    /** The header, then the plaintext sealed chunk by chunk, as a stream. */
    private final class Sealing extends Chunked {
        private final byte[] header;
        private final byte[] aad;
        private final SecretKeySpec key;
        private final PushbackInputStream plain;
        private final Cipher cipher = newCipher();
        private final byte[] in = new byte[CHUNK];
        private boolean headerSent;
        private long chunk;
        private boolean done;
        long plaintextBytes;

        Sealing(byte[] header, InputStream plain, String storageKey) {
            this.header = header;
            this.aad = associated(header, storageKey);
            this.key = objectKey(keys.key(keys.writeKeyId()), Arrays.copyOfRange(header, header.length - SALT, header.length));
            this.plain = new PushbackInputStream(plain, 1);
        }

        @Override
        byte[] next() throws IOException {
            if (!headerSent) {
                headerSent = true;
                return header;
            }
            if (done) {
                return null;
            }
            int n = plain.readNBytes(in, 0, CHUNK);
            done = atEnd(plain);
            plaintextBytes += n;
            try {
                byte[] out = new byte[n + TAG];
                seal(cipher, Cipher.ENCRYPT_MODE, key, chunk++, done, aad, in, n, out);
                return out;
            } catch (GeneralSecurityException e) {
                throw new IOException("encryption failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            plain.close();
        }
    }

    /** The plaintext of an encrypted object, chunk by chunk, each authenticated before any of it is returned. */
    private final class Opening extends Chunked {
        private final String objectKey;
        private final PushbackInputStream sealed;
        private final byte[] aad;
        private final SecretKeySpec key;
        private final Cipher cipher = newCipher();
        private final byte[] in = new byte[CHUNK + TAG];
        private long chunk;
        private boolean done;

        Opening(String objectKey, PushbackInputStream sealed) throws IOException {
            this.objectKey = objectKey;
            this.sealed = sealed;
            ByteArrayOutputStream h = new ByteArrayOutputStream();
            h.write(readFully(MAGIC.length));
            byte[] idLength = readFully(1);
            h.write(idLength);
            byte[] id = readFully(idLength[0] & 0xff);
            h.write(id);
            byte[] fingerprint = readFully(8);
            h.write(fingerprint);
            byte[] salt = readFully(SALT);
            h.write(salt);
            this.aad = associated(h.toByteArray(), objectKey);
            String keyId = new String(id, StandardCharsets.US_ASCII);
            byte[] k = keys.key(keyId);
            if (k == null) {
                throw new AgentException(AgentException.Reason.KEY, objectKey + " is encrypted with the key '" + keyId
                        + "', which the key Secret does not hold" + (keys.isEmpty() ? " (no key Secret is given: encryption.keySecret)" : "")
                        + ": add that key to the Secret to read it");
            }
            if (!MessageDigest.isEqual(fingerprint, EncryptionKeys.fingerprint(k))) {
                throw new AgentException(AgentException.Reason.KEY, objectKey + " is encrypted with another key named '" + keyId
                        + "' (fingerprint " + HexFormat.of().formatHex(fingerprint) + ", the Secret's is "
                        + HexFormat.of().formatHex(EncryptionKeys.fingerprint(k)) + "): the key of that name was changed; put the old one back");
            }
            this.key = EncryptedStorage.objectKey(k, salt);
        }

        private byte[] readFully(int n) throws IOException {
            byte[] b = sealed.readNBytes(n);
            if (b.length < n) {
                throw new EOFException(objectKey + ": the encryption header is cut short");
            }
            return b;
        }

        @Override
        byte[] next() throws IOException {
            if (done) {
                return null;
            }
            int n = sealed.readNBytes(in, 0, CHUNK + TAG);
            done = atEnd(sealed);
            try {
                if (n < TAG) {
                    throw new AEADBadTagException("shorter than a tag");
                }
                byte[] out = new byte[n - TAG];
                seal(cipher, Cipher.DECRYPT_MODE, key, chunk++, done, aad, in, n, out);
                return out;
            } catch (AEADBadTagException e) {
                throw new IOException(objectKey + " failed authentication at chunk " + (chunk - 1)
                        + ": it was changed, cut short or extended after it was written");
            } catch (GeneralSecurityException e) {
                throw new IOException(objectKey + ": decryption failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            sealed.close();
        }
    }
}
