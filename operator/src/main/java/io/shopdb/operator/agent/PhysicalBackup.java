package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopdb.operator.agent.BackupManifest.FileEntry;
import io.shopdb.operator.agent.BackupManifest.WalRange;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * pg_basebackup of the whole cluster in tar format, with the WAL needed to make it consistent (fetched at
 * the end, or streamed alongside), and pg_basebackup's own backup_manifest (SHA-256 per file) stored next to
 * the tars so pg_verifybackup can check an unpacked copy. The WAL range comes from that backup_manifest.
 */
public final class PhysicalBackup {
    public enum WalMethod { FETCH, STREAM }

    public record Options(Compression compression, WalMethod walMethod, Duration timeout) {}

    private final PgTools tools;
    private final BackupCatalog catalog;
    private final Path spoolRoot;

    public PhysicalBackup(PgTools tools, BackupCatalog catalog, Path spoolRoot) {
        this.tools = tools;
        this.catalog = catalog;
        this.spoolRoot = spoolRoot;
    }

    public BackupManifest run(PgEndpoint server, String backupId, Options options) {
        BackupCatalog.checkBackupId(backupId);
        Instant started = Instant.now();
        String toolVersion = tools.version("pg_basebackup");
        List<FileEntry> files = new ArrayList<>();
        Path spool = null;
        try {
            ServerCatalog.Version version;
            try (Connection c = PgConnections.open(server)) {
                version = ServerCatalog.version(c);
            }
            spool = Files.createTempDirectory(spoolRoot, "base-");
            Path out = spool.resolve("backup");
            List<String> args = new ArrayList<>(List.of("--pgdata=" + out, "--format=tar",
                    "--wal-method=" + options.walMethod().name().toLowerCase(java.util.Locale.ROOT),
                    "--checkpoint=fast", "--manifest-checksums=SHA256", "--label=shopdb " + backupId, "--no-password"));
            args.addAll(options.compression().pgBasebackupArgs());
            tools.run(server, "pg_basebackup", args, spool.resolve("pg_basebackup.log"), options.timeout());
            WalRange wal = walRange(out.resolve("backup_manifest"));
            try (Stream<Path> list = Files.list(out)) {
                for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
                    files.add(catalog.upload(backupId, f.getFileName().toString(), null, f));
                }
            }
            Instant finished = Instant.now();
            BackupManifest manifest = new BackupManifest(BackupManifest.VERSION, backupId, BackupManifest.Method.PHYSICAL,
                    BackupManifest.Format.TAR, options.compression().toString(), List.of(), version.text(), version.num(),
                    toolVersion, started, finished, Duration.between(started, finished).toMillis(), files,
                    files.stream().mapToLong(FileEntry::size).sum(), wal, null,
                    "pg_basebackup: consistent at the end LSN of the WAL range (WAL included, " + options.walMethod() + ")",
                    catalog.storage() instanceof S3Storage s3 ? s3.encryption() : "none");
            catalog.writeManifest(manifest);
            return manifest;
        } catch (IOException | SQLException e) {
            catalog.discard(backupId, files);
            throw new AgentException(AgentException.Reason.IO, "physical backup " + backupId + " of " + server.host() + ":" + server.port()
                    + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            catalog.discard(backupId, files);
            throw e;
        } finally {
            Spool.deleteTree(spool);
        }
    }

    /** The first WAL range of a backup_manifest (a backup taken on one timeline has exactly one). */
    static WalRange walRange(Path backupManifest) throws IOException {
        JsonNode ranges = BackupManifest.json().readTree(backupManifest.toFile()).path("WAL-Ranges");
        if (!ranges.isArray() || ranges.isEmpty()) {
            throw new IOException("backup_manifest has no WAL-Ranges");
        }
        JsonNode first = ranges.get(0);
        JsonNode last = ranges.get(ranges.size() - 1);
        return new WalRange(last.path("Timeline").asInt(), first.path("Start-LSN").asText(), last.path("End-LSN").asText());
    }
}
