package io.shopdb.operator.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Backups in a directory (a PVC mounted into the Job). Writes go to a hidden temp file and are renamed
 * into place, so a crash mid-copy never leaves a truncated file under its final name.
 */
public final class DirectoryStorage implements BackupStorage {
    private final Path root;

    public DirectoryStorage(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The file behind a key (tests corrupt backups through it). */
    public Path pathOf(String key) {
        Path p = root.resolve(BackupStorage.checkKey(key)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("invalid storage key: " + key);
        }
        return p;
    }

    @Override
    public void put(String key, InputStream data, long length) throws IOException {
        write(key, data, length);
    }

    @Override
    public long putStream(String key, InputStream data) throws IOException {
        return write(key, data, -1);
    }

    /** Copies into a hidden temp file beside the target, then renames it into place; {@code length} -1: any. */
    private long write(String key, InputStream data, long length) throws IOException {
        Path target = pathOf(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        try {
            long copied = Files.copy(data, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (length >= 0 && copied != length) {
                throw new IOException("short write for " + key + ": expected " + length + " bytes, got " + copied);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return copied;
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // first: the room the partial file took is what the message below reports
            if (StorageFullException.isNoSpace(e)) {
                throw new StorageFullException("no space left on the backup volume " + space() + " writing " + key
                        + (length >= 0 ? " (" + length + " bytes)" : "") + "; free space on it (older backups, a lower keepLast) or give it a larger volume", e);
            }
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The volume's directory, filesystem and room, for a message a person acts on. */
    private String space() {
        try {
            java.nio.file.FileStore store = Files.getFileStore(root);
            return root + " (" + store.type() + " " + store.name() + ", " + store.getUsableSpace() + " of "
                    + store.getTotalSpace() + " bytes free)";
        } catch (IOException e) {
            return root.toString();
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        return Files.newInputStream(pathOf(key));
    }

    /**
     * Walks only the folder the prefix names (a WAL archive's lookups stay cheap however many backups share the volume),
     * and tolerates files that vanish during the walk: another writer's temp file renamed into place, or a delete.
     */
    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        List<StoredObject> out = new ArrayList<>();
        int slash = keyPrefix.lastIndexOf('/');
        Path start = slash < 0 ? root : pathOf(keyPrefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return out;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (attrs.isRegularFile() && key.startsWith(keyPrefix) && !p.getFileName().toString().startsWith(".")) {
                    out.add(new StoredObject(key, attrs.size()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // gone between the directory read and this visit
                }
                throw e;
            }
        });
        out.sort(Comparator.comparing(StoredObject::key));
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = pathOf(key);
        Files.deleteIfExists(p);
        // drop directories left empty (a deleted backup should not leave its folder behind)
        for (Path dir = p.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    break;
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public String describe() {
        return "directory " + root;
    }
}
