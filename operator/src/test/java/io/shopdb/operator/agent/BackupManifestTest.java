package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.FileEntry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BackupManifestTest {

    static BackupManifest sample() {
        return new BackupManifest(BackupManifest.VERSION, "b1", BackupManifest.Method.LOGICAL, BackupManifest.Format.DIRECTORY, "gzip:6",
                List.of("shop", "odd name"), "15.18", 150018, "pg_dump (PostgreSQL) 15.18",
                Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-05-01T10:00:03.250Z"), 3250,
                List.of(new FileEntry("shop.dir/toc.dat", "shop", 120, "ab".repeat(32)),
                        new FileEntry("odd+name.dir/toc.dat", "odd name", 80, "cd".repeat(32))),
                200, null, Map.of("shop", Map.of("public.orders", 5L, "public.customers", 3L)), LogicalBackup.CONSISTENCY, "none");
    }

    @Test
    void roundTripsThroughJson() throws IOException {
        BackupManifest m = sample();
        byte[] json = m.toJson();
        assertEquals(m, BackupManifest.fromJson(json));
        String text = new String(json, StandardCharsets.UTF_8);
        // wire names are lower case and times are ISO strings, readable by people doing disaster recovery
        assertTrue(text.contains("\"method\" : \"logical\""), text);
        assertTrue(text.contains("\"format\" : \"directory\""), text);
        assertTrue(text.contains("\"startedAt\" : \"2024-05-01T10:00:00Z\""), text);
        assertFalse(text.contains("walRange"), "absent fields are left out");
    }

    @Test
    void physicalManifestKeepsTheWalRange() throws IOException {
        BackupManifest m = new BackupManifest(1, "p1", BackupManifest.Method.PHYSICAL, BackupManifest.Format.TAR, "none", List.of(),
                "15.18", 150018, "pg_basebackup (PostgreSQL) 15.18", Instant.EPOCH, Instant.EPOCH, 0,
                List.of(new FileEntry("base.tar", null, 10, "00".repeat(32))), 10,
                new BackupManifest.WalRange(1, "0/2000028", "0/2000100"), null, "x", "sse:AES256");
        BackupManifest back = BackupManifest.fromJson(m.toJson());
        assertEquals(new BackupManifest.WalRange(1, "0/2000028", "0/2000100"), back.walRange());
        assertEquals(15, back.serverMajor());
        assertNull(back.files().get(0).database());
    }

    @Test
    void toleratesUnknownFieldsButNotNewerVersions() throws IOException {
        String json = new String(sample().toJson(), StandardCharsets.UTF_8);
        BackupManifest withExtra = BackupManifest.fromJson(json.replaceFirst("\\{", "{\"addedLater\": 1,").getBytes(StandardCharsets.UTF_8));
        assertEquals("b1", withExtra.backupId());
        byte[] newer = json.replace("\"manifestVersion\" : 1", "\"manifestVersion\" : 99").getBytes(StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> BackupManifest.fromJson(newer));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
        assertThrows(IOException.class, () -> BackupManifest.fromJson("{\"manifestVersion\":1}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void filesAreSelectedPerDatabase() {
        BackupManifest m = sample();
        assertEquals(List.of("odd+name.dir/toc.dat"), m.filesOf("odd name").stream().map(FileEntry::path).toList());
        assertEquals("b1/shop.dir/toc.dat", m.keyOf(m.filesOf("shop").get(0)));
    }

    @Test
    void compressionIsParsedAndMappedPerTool() {
        assertEquals(List.of("--compress=6"), Compression.parse("gzip").pgDumpArgs(15));
        assertEquals(List.of("--compress=0"), Compression.parse("none").pgDumpArgs(15));
        assertEquals(List.of("--compress=zstd:3"), Compression.parse("zstd:3").pgDumpArgs(16));
        AgentException e = assertThrows(AgentException.class, () -> Compression.parse("zstd:3").pgDumpArgs(15));
        assertTrue(e.getMessage().contains("pg_dump 16"), e.getMessage());
        assertEquals(List.of("--compress=client-lz4"), Compression.parse("lz4").pgBasebackupArgs());
        assertEquals(".zst", Compression.parse("zstd").tarSuffix());
        assertThrows(AgentException.class, () -> Compression.parse("gzip:10"));
        assertThrows(AgentException.class, () -> Compression.parse("brotli"));
        assertThrows(AgentException.class, () -> Compression.parse("gzip:x"));
    }
}
