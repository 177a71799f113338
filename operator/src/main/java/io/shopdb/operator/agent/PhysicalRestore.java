package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Unpacks a physical backup into an empty data directory: files are downloaded and checked against the
 * manifest's SHA-256 first, then base.tar goes to the data directory, pg_wal.tar (stream method) to its
 * pg_wal, and backup_manifest beside them so pg_verifybackup can check the result. Starting a server on it
 * (as a new cluster) is the cluster bootstrap's job, not the agent's.
 */
public final class PhysicalRestore {
    private final BackupCatalog catalog;
    private final Path spoolRoot;

    public PhysicalRestore(BackupCatalog catalog, Path spoolRoot) {
        this.catalog = catalog;
        this.spoolRoot = spoolRoot;
    }

    public BackupManifest unpack(String backupId, Path dataDir) {
        BackupManifest manifest = catalog.read(backupId);
        if (manifest.method() != BackupManifest.Method.PHYSICAL) {
            throw new AgentException(AgentException.Reason.INVALID, "backup " + backupId + " is logical: use restore");
        }
        Path spool = null;
        try {
            if (Files.isDirectory(dataDir)) {
                try (Stream<Path> entries = Files.list(dataDir)) {
                    if (entries.findAny().isPresent()) {
                        throw new AgentException(AgentException.Reason.TARGET_NOT_EMPTY, "data directory " + dataDir + " is not empty");
                    }
                }
            }
            spool = Files.createTempDirectory(spoolRoot, "unpack-");
            catalog.download(manifest, manifest.files(), spool);
            Files.createDirectories(dataDir);
            String suffix = Compression.parse(manifest.compression()).tarSuffix();
            untar(spool.resolve("base.tar" + suffix), dataDir, suffix);
            Path walTar = spool.resolve("pg_wal.tar" + suffix);
            if (Files.exists(walTar)) {
                untar(walTar, Files.createDirectories(dataDir.resolve("pg_wal")), suffix);
            }
            Files.copy(spool.resolve("backup_manifest"), dataDir.resolve("backup_manifest"), StandardCopyOption.REPLACE_EXISTING);
            return manifest;
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot unpack backup " + backupId + " into " + dataDir + ": " + e.getMessage(), e);
        } finally {
            Spool.deleteTree(spool);
        }
    }

    /** True when {@code dir} exists and holds at least one entry. */
    public static boolean hasFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #unpack}, through {@code <dataDir>.unpacking} (removed first if a previous attempt left it),
     * renamed to {@code dataDir} only when complete; the data directory gets mode 0700, as postgres wants.
     */
    public BackupManifest unpackStaged(String backupId, Path dataDir) {
        Path staging = dataDir.resolveSibling(dataDir.getFileName() + ".unpacking");
        Spool.deleteTree(staging);
        BackupManifest manifest = unpack(backupId, staging);
        try {
            Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(staging.resolve("standby.signal"));
            Files.deleteIfExists(staging.resolve("recovery.signal"));
            Files.deleteIfExists(dataDir); // an empty directory only; hasFiles was checked
            Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
            return manifest;
        } catch (IOException e) {
            throw new AgentException(AgentException.Reason.IO, "cannot move the unpacked backup to " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static void untar(Path tar, Path into, String suffix) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tar", "--extract", "--file=" + tar, "--directory=" + into));
        switch (suffix) {
            case ".gz" -> cmd.add("--gzip");
            case ".zst" -> cmd.add("--zstd");
            case ".lz4" -> cmd.add("--use-compress-program=lz4");
            default -> { }
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
                throw new AgentException(AgentException.Reason.TOOL_FAILED, "tar failed on " + tar.getFileName() + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.Reason.TOOL_FAILED, "interrupted", e);
        }
    }
}
