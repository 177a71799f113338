package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.FileEntry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Backups as stored: files under {@code <backupId>/} plus the manifest, which is written last (and deleted
 * first), so listing only ever shows complete backups.
 */
public final class BackupCatalog {
    private static final System.Logger LOG = System.getLogger(BackupCatalog.class.getName());
    /** Backup ids become storage keys and folder names: keep them boring. */
    private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final BackupStorage storage;

    public BackupCatalog(BackupStorage storage) {
        this.storage = storage;
    }

    public BackupStorage storage() {
        return storage;
    }

    public static String checkBackupId(String backupId) {
        if (backupId == null || !BACKUP_ID.matcher(backupId).matches()) {
            throw new AgentException(AgentException.Reason.INVALID,
                    "backup id must be 1-128 characters of letters, digits, '.', '_', '-', starting with a letter or digit");
        }
        return backupId;
    }

    /** Stores one file, hashing exactly the bytes handed to storage. */
    public FileEntry upload(String backupId, String relativePath, String database, Path file) {
        String key = checkBackupId(backupId) + "/" + relativePath;
        long size;
        var md = Checksums.sha256();
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), md)) {
            size = Files.size(file);
            storage.put(key, in, size);
        } catch (IOException e) {
            throw notStored(key, e);
        }
        return new FileEntry(relativePath, database, size, Checksums.hex(md.digest()));
    }

    /**
     * Stores a stream of unknown length (a tool's output as it writes it), hashing on the way: one write, no local
     * copy. Storage trouble throws IOException (the caller reports it with the tool's context).
     */
    public FileEntry uploadStream(String backupId, String relativePath, String database, InputStream data) throws IOException {
        String key = checkBackupId(backupId) + "/" + relativePath;
        var md = Checksums.sha256();
        long size = storage.putStream(key, new java.security.DigestInputStream(data, md));
        return new FileEntry(relativePath, database, size, Checksums.hex(md.digest()));
    }

    public void writeManifest(BackupManifest manifest) {
        byte[] json = manifest.toJson();
        String key = manifest.backupId() + "/" + BackupManifest.FILE_NAME;
        try {
            storage.put(key, new ByteArrayInputStream(json), json.length);
        } catch (IOException e) {
            throw notStored(key, e);
        }
    }

    private AgentException notStored(String key, IOException e) {
        return e instanceof StorageFullException full
                ? new AgentException(AgentException.Reason.STORAGE_FULL, full.getMessage(), e)
                : new AgentException(AgentException.Reason.IO, "cannot store " + key + " in " + storage.describe() + ": " + e.getMessage(), e);
    }

    public BackupManifest read(String backupId) {
        String key = checkBackupId(backupId) + "/" + BackupManifest.FILE_NAME;
        try (InputStream in = storage.get(key)) {
            return BackupManifest.fromJson(in.readAllBytes());
        } catch (NoSuchFileException e) {
            throw new AgentException(AgentException.Reason.NOT_FOUND, "no backup '" + backupId + "' in " + storage.describe() + " (no " + key + ")");
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot read " + key + " from " + storage.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Every complete backup (one with a readable manifest), oldest first; unreadable manifests are skipped and logged. */
    public List<BackupManifest> list() {
        List<BackupManifest> out = new ArrayList<>();
        try {
            for (BackupStorage.StoredObject o : storage.list("")) {
                String[] parts = o.key().split("/");
                if (parts.length == 2 && parts[1].equals(BackupManifest.FILE_NAME)) {
                    try (InputStream in = storage.get(o.key())) {
                        out.add(BackupManifest.fromJson(in.readAllBytes()));
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "skipping unreadable manifest {0}: {1}", o.key(), e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + storage.describe() + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(BackupManifest::startedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /**
     * Downloads files into {@code dir} (same relative paths) and checks each one's size and SHA-256 against
     * the manifest; refuses, naming every bad file, before anything is restored from them.
     */
    public void download(BackupManifest manifest, List<FileEntry> files, Path dir) {
        List<String> bad = new ArrayList<>();
        for (FileEntry f : files) {
            Path target = dir.resolve(f.path()).normalize();
            if (!target.startsWith(dir)) {
                throw new AgentException(AgentException.Reason.INVALID, "manifest names a file outside the backup: " + f.path());
            }
            try {
                Files.createDirectories(target.getParent());
                Checksums.Digest d;
                try (InputStream in = storage.get(manifest.keyOf(f)); OutputStream out = Files.newOutputStream(target)) {
                    d = Checksums.copy(in, out);
                }
                if (!Checksums.matches(d, f.size(), f.sha256())) {
                    bad.add(f.path() + " (expected " + f.size() + " bytes sha256 " + f.sha256() + ", got " + d.size() + " bytes sha256 " + d.sha256() + ")");
                }
            } catch (NoSuchFileException e) {
                bad.add(f.path() + " (missing)");
            } catch (IOException e) {
                throw new AgentException(AgentException.Reason.IO, "cannot read " + manifest.keyOf(f) + ": " + e.getMessage(), e);
            }
        }
        if (!bad.isEmpty()) {
            throw new AgentException(AgentException.Reason.CHECKSUM_MISMATCH,
                    "backup " + manifest.backupId() + " is corrupted, refusing to restore: checksum mismatch in " + String.join(", ", bad));
        }
    }

    /** Deletes a backup: manifest first, so a half-deleted backup is never listed as restorable. */
    public void delete(String backupId) {
        String prefix = checkBackupId(backupId) + "/";
        try {
            storage.delete(prefix + BackupManifest.FILE_NAME);
            for (BackupStorage.StoredObject o : storage.list(prefix)) {
                storage.delete(o.key());
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot delete " + prefix + " in " + storage.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Best-effort removal of files of a backup that failed before its manifest was written. */
    void discard(String backupId, List<FileEntry> stored) {
        for (FileEntry f : stored) {
            discard(backupId, f.path());
        }
    }

    /** Best-effort removal of one file of a failed backup (a stream stored whole before its tool failed). */
    void discard(String backupId, String relativePath) {
        try {
            storage.delete(backupId + "/" + relativePath);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove {0}/{1} of a failed backup: {2}", backupId, relativePath, e.getMessage());
        }
    }
}
