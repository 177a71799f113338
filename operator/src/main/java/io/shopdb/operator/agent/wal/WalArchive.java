package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.agent.BackupStorage;
import io.shopdb.operator.agent.Checksums;
import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.AgentException.Reason;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A cluster's WAL archive in a {@link BackupStorage}: one object per WAL file, {@code <prefix>/<walFile>.<sha256>.<ext>},
 * where the SHA-256 is of the file as PostgreSQL wrote it (before compression) and ext is {@code gz} or {@code raw}.
 * Putting the checksum in the key makes an archived file a single object (one PUT, atomic on S3 and, through a
 * rename, on a directory) whose integrity can be checked from nothing but itself.
 *
 * <p>PostgreSQL's contract for archive_command is kept exactly: archiving a file that is already archived with the same
 * content succeeds without writing; with other content it fails ({@link Reason#WAL_CONFLICT}) and never overwrites,
 * because the archived copy may be the one a backup needs. A restored file is checked against its SHA-256 before it is
 * handed to the server, so a damaged object is refused ({@link Reason#CHECKSUM_MISMATCH}) instead of being replayed.
 */
public final class WalArchive {
    private static final Pattern KEY = Pattern.compile("(.+)\\.([0-9a-f]{64})\\.(gz|raw)");

    /** One archived WAL file. */
    public record Entry(String walFile, String sha256, String key, long storedSize) {
        public WalNames.Segment segment() {
            return WalNames.segmentOf(walFile);
        }
    }

    private final BackupStorage storage;
    private final String prefix;
    private final int gzipLevel;

    /** @param gzipLevel 0 stores files as they are, 1..9 gzips them at that level */
    public WalArchive(BackupStorage storage, String prefix, int gzipLevel) {
        if (prefix == null || prefix.isBlank() || prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new AgentException(Reason.INVALID, "WAL archive prefix must be a relative key prefix, e.g. wal/shop: " + prefix);
        }
        if (gzipLevel < 0 || gzipLevel > 9) {
            throw new AgentException(Reason.INVALID, "WAL compression must be none or gzip:1..9");
        }
        this.storage = storage;
        this.prefix = prefix;
        this.gzipLevel = gzipLevel;
    }

    public String describe() {
        return storage.describe() + " " + prefix + "/";
    }

    /**
     * Archives one WAL file (archive_command's {@code %p} and {@code %f}). Returns the entry, new or already there.
     */
    public Entry archive(Path walPath, String walFile) {
        checkName(walFile);
        byte[] content;
        try {
            content = Files.readAllBytes(walPath);
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot read " + walPath + ": " + e.getMessage(), e);
        }
        String sha = Checksums.of(content).sha256();
        Optional<Entry> existing = find(walFile);
        if (existing.isPresent()) {
            if (existing.get().sha256().equals(sha)) {
                return existing.get(); // archived before (a retry after a crash): same content is success
            }
            throw new AgentException(Reason.WAL_CONFLICT, "WAL file " + walFile + " is already archived in " + describe()
                    + " with other content (sha256 " + existing.get().sha256() + ", this one " + sha + "): refusing to overwrite;"
                    + " is another cluster archiving into the same place?");
        }
        byte[] stored = gzipLevel == 0 ? content : gzip(content, gzipLevel);
        String key = prefix + "/" + walFile + "." + sha + (gzipLevel == 0 ? ".raw" : ".gz");
        try {
            storage.put(key, new ByteArrayInputStream(stored), stored.length);
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot store " + key + " in " + storage.describe() + ": " + e.getMessage(), e);
        }
        return new Entry(walFile, sha, key, stored.length);
    }

    /** Restores one WAL file (restore_command's {@code %f} and {@code %p}) after checking its SHA-256. */
    public Entry restore(String walFile, Path target) {
        checkName(walFile);
        Entry entry = find(walFile).orElseThrow(() -> new AgentException(Reason.NOT_FOUND, "WAL file " + walFile + " is not in " + describe()));
        byte[] content = read(entry);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".restoring");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        }
        return entry;
    }

    /** The content of an archived file, checked against its SHA-256 (and gzip's CRC) before anyone uses it. */
    public byte[] read(Entry entry) {
        byte[] content;
        try (InputStream in = storage.get(entry.key())) {
            byte[] stored = in.readAllBytes();
            content = entry.key().endsWith(".gz") ? gunzip(stored) : stored;
        } catch (NoSuchFileException e) {
            throw new AgentException(Reason.NOT_FOUND, "WAL file " + entry.walFile() + " vanished from " + describe());
        } catch (IOException e) {
            if (e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException) {
                throw corrupted(entry, "not a readable gzip stream (" + e.getMessage() + ")");
            }
            throw new AgentException(Reason.IO, "cannot read " + entry.key() + ": " + e.getMessage(), e);
        }
        String sha = Checksums.of(content).sha256();
        if (!sha.equals(entry.sha256())) {
            throw corrupted(entry, "its content has sha256 " + sha);
        }
        return content;
    }

    private AgentException corrupted(Entry entry, String what) {
        return new AgentException(Reason.CHECKSUM_MISMATCH, "archived WAL file " + entry.walFile() + " in " + describe()
                + " is corrupted, refusing to replay it: expected sha256 " + entry.sha256() + ", " + what);
    }

    public Optional<Entry> find(String walFile) {
        List<Entry> found = list(walFile + ".").stream().filter(e -> e.walFile().equals(walFile)).toList();
        if (found.size() > 1) {
            throw new AgentException(Reason.WAL_CONFLICT, "WAL file " + walFile + " is archived twice with different content in " + describe());
        }
        return found.stream().findFirst();
    }

    /** Every archived file, sorted by key (so by name: timeline history files and segments in WAL order). */
    public List<Entry> list() {
        return list("");
    }

    private List<Entry> list(String namePrefix) {
        List<Entry> out = new ArrayList<>();
        try {
            for (BackupStorage.StoredObject o : storage.list(prefix + "/" + namePrefix)) {
                String name = o.key().substring(prefix.length() + 1);
                Matcher m = KEY.matcher(name);
                if (m.matches() && WalNames.isWalFile(m.group(1))) {
                    out.add(new Entry(m.group(1), m.group(2), o.key(), o.size()));
                }
            }
        } catch (IOException e) {
            throw new AgentException(Reason.IO, "cannot list " + describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Deletes archived segments (and partial and backup history files) numbered below {@code keepFrom}, on every
     * timeline: what no kept backup needs. Timeline history files are never deleted (recovery reads them to follow
     * timelines, and they are tiny). Returns the number of files deleted.
     */
    public int pruneBefore(WalNames.Segment keepFrom) {
        int deleted = 0;
        for (Entry e : list()) {
            WalNames.Segment s = e.segment();
            if (s != null && s.number() < keepFrom.number()) {
                try {
                    storage.delete(e.key());
                    deleted++;
                } catch (IOException ex) {
                    throw new AgentException(Reason.IO, "cannot delete " + e.key() + ": " + ex.getMessage(), ex);
                }
            }
        }
        return deleted;
    }

    private static void checkName(String walFile) {
        if (!WalNames.isWalFile(walFile)) {
            throw new AgentException(Reason.INVALID, "not a WAL file name: " + walFile);
        }
    }

    static byte[] gzip(byte[] content, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length / 4);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) { { def.setLevel(level); } }) {
            gz.write(content);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory gzip cannot fail", e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] stored) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored), 1 << 16)) {
            return in.readAllBytes();
        }
    }

    public static int levelOf(String compression) {
        if (compression == null || compression.isBlank() || compression.equals("gzip")) {
            return 1; // WAL is mostly page images and zeros: level 1 takes most of the gain at a fraction of the CPU
        }
        if (compression.equals("none")) {
            return 0;
        }
        if (compression.startsWith("gzip:")) {
            try {
                return Integer.parseInt(compression.substring(5));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new AgentException(Reason.INVALID, "WAL compression must be none, gzip or gzip:1..9: " + compression);
    }
}
