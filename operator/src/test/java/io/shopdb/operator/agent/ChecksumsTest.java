package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.FileEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Checksums and the catalog's refusal of damaged files, on a directory storage (no database needed). */
class ChecksumsTest {

    @Test
    void knownVectors() throws IOException {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Checksums.of(new byte[0]).sha256());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checksums.Digest d = Checksums.copy(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)), out);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.sha256());
        assertEquals(3, d.size());
        assertEquals("abc", out.toString(StandardCharsets.US_ASCII));
        assertTrue(Checksums.matches(d, 3, d.sha256().toUpperCase()));
        assertFalse(Checksums.matches(d, 4, d.sha256()), "same hash, wrong size");
    }

    @Test
    void uploadRecordsWhatWasStoredAndDownloadRefusesDamage(@TempDir Path tmp) throws IOException {
        DirectoryStorage storage = new DirectoryStorage(tmp.resolve("store"));
        BackupCatalog catalog = new BackupCatalog(storage);
        Path file = Files.writeString(tmp.resolve("data.bin"), "hello backup");
        FileEntry entry = catalog.upload("b1", "db.dump", "db", file);
        assertEquals(Checksums.of(file), new Checksums.Digest(entry.size(), entry.sha256()));
        BackupManifest m = new BackupManifest(1, "b1", BackupManifest.Method.LOGICAL, BackupManifest.Format.CUSTOM, "none", List.of("db"),
                "15", 150000, "t", Instant.EPOCH, Instant.EPOCH, 0, List.of(entry), entry.size(), null, null, null, "none");
        catalog.writeManifest(m);

        Path good = Files.createDirectory(tmp.resolve("good"));
        catalog.download(m, m.files(), good);
        assertEquals("hello backup", Files.readString(good.resolve("db.dump")));

        // one flipped byte, same length
        Files.writeString(storage.pathOf("b1/db.dump"), "hello backuP");
        Path bad = Files.createDirectory(tmp.resolve("bad"));
        AgentException e = assertThrows(AgentException.class, () -> catalog.download(m, m.files(), bad));
        assertEquals(AgentException.Reason.CHECKSUM_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("db.dump"), e.getMessage());

        Files.delete(storage.pathOf("b1/db.dump"));
        e = assertThrows(AgentException.class, () -> catalog.download(m, m.files(), bad));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void listShowsOnlyCompleteBackupsAndDeleteRemovesManifestFirst(@TempDir Path tmp) throws IOException {
        DirectoryStorage storage = new DirectoryStorage(tmp);
        BackupCatalog catalog = new BackupCatalog(storage);
        catalog.writeManifest(BackupManifestTest.sample());
        Path f = Files.writeString(tmp.resolve("x"), "x");
        catalog.upload("incomplete", "db.dump", "db", f); // files but no manifest: a crashed backup
        Files.writeString(Files.createDirectories(tmp.resolve("junk")).resolve("manifest.json"), "{not json");
        assertEquals(List.of("b1"), catalog.list().stream().map(BackupManifest::backupId).toList());
        catalog.delete("b1");
        assertTrue(catalog.list().isEmpty());
        assertFalse(Files.exists(tmp.resolve("b1")));
    }

    @Test
    void storageKeysCannotEscapeTheRoot(@TempDir Path tmp) throws IOException {
        DirectoryStorage storage = new DirectoryStorage(tmp);
        for (String key : List.of("../x", "a/../../x", "/etc/passwd", "a//b", "a/")) {
            assertThrows(IllegalArgumentException.class, () -> storage.pathOf(key), key);
        }
        assertThrows(AgentException.class, () -> BackupCatalog.checkBackupId("../up"));
        assertThrows(AgentException.class, () -> BackupCatalog.checkBackupId(".hidden"));
        assertEquals("20240501T100000Z-shop", BackupCatalog.checkBackupId("20240501T100000Z-shop"));
    }
}
