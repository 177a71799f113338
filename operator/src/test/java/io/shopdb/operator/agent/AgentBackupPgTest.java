package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Logical and physical backups of a real PostgreSQL 15 to a directory target, restored and compared. */
@ExtendWith(PostgresExtension.class)
class AgentBackupPgTest {
    static final String SHOP = "agent_shop";
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static Map<String, String> source;

    final TestPostgres pg;
    @TempDir Path tmp;

    AgentBackupPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @BeforeAll
    static void shop() throws SQLException {
        TestPostgres pg = TestPostgres.shared();
        ShopFixture.create(pg, SHOP);
        source = ShopFixture.fingerprint(pg, SHOP);
    }

    BackupCatalog catalog() throws IOException {
        return new BackupCatalog(new DirectoryStorage(tmp.resolve("backups")));
    }

    BackupManifest backup(BackupCatalog catalog, String id, Format format, String compression, int jobs) {
        return new LogicalBackup(PgTools.locate(), catalog, tmp).run(pg.superuser(), id,
                new LogicalBackup.Options(List.of(SHOP), format, Compression.parse(compression), jobs, TIMEOUT));
    }

    LogicalRestore.Result restore(BackupCatalog catalog, String id, String target, boolean overwrite, int jobs) {
        return new LogicalRestore(PgTools.locate(), catalog, tmp).run(pg.superuser(),
                new LogicalRestore.Request(id, null, target, overwrite, jobs, false, TIMEOUT));
    }

    @Test
    void customFormatRestoresEveryRowAndRefusesANonEmptyTarget() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "custom-1", Format.CUSTOM, "gzip:6", 1);

        assertEquals(List.of("agent_shop.dump"), m.files().stream().map(BackupManifest.FileEntry::path).toList());
        Map<String, Long> counts = m.rowCounts().get(SHOP);
        assertEquals(Map.of("public.customers", 1000L, "public.products", 500L, "public.orders_2023", 1660L,
                "public.orders_2024", 1340L, "public.order_items", 6000L), counts);
        assertEquals(15, m.serverMajor());
        assertTrue(m.toolVersion().startsWith("pg_dump (PostgreSQL) 15"), m.toolVersion());
        Path stored = tmp.resolve("backups/custom-1/agent_shop.dump");
        assertEquals(Checksums.of(stored).sha256(), m.files().get(0).sha256());
        assertEquals(Files.size(stored), m.totalBytes());
        assertEquals(m, catalog.read("custom-1"), "the stored manifest is the returned one");

        LogicalRestore.Result r = restore(catalog, "custom-1", "agent_shop_copy", false, 1);
        assertEquals(List.of(), r.mismatches());
        assertEquals(counts, r.rowCounts());
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_shop_copy"));

        AgentException e = assertThrows(AgentException.class, () -> restore(catalog, "custom-1", "agent_shop_copy", false, 1));
        assertEquals(AgentException.Reason.TARGET_NOT_EMPTY, e.reason());
        pg.exec("agent_shop_copy", "DELETE FROM order_items WHERE line = 2");
        restore(catalog, "custom-1", "agent_shop_copy", true, 1);
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_shop_copy"), "overwrite replaces the database whole");
    }

    @Test
    void aStreamedCustomDumpRestoresInParallelAndOneCutShortLeavesNothingBehind() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "custom-stream", Format.CUSTOM, "none", 1);
        // written to a pipe, the archive has no data offsets: a parallel restore still finds every table's data
        LogicalRestore.Result r = restore(catalog, "custom-stream", "agent_shop_stream", false, 2);
        assertEquals(List.of(), r.mismatches());
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_shop_stream"));

        AgentException cut = assertThrows(AgentException.class, () -> new LogicalBackup(PgTools.locate(), catalog, tmp).run(pg.superuser(),
                "custom-cut", new LogicalBackup.Options(List.of(SHOP), Format.CUSTOM, Compression.parse("none"), 1, java.time.Duration.ofMillis(30))));
        assertEquals(AgentException.Reason.TOOL_FAILED, cut.reason(), cut.getMessage());
        assertTrue(!Files.exists(tmp.resolve("backups/custom-cut")) || Files.list(tmp.resolve("backups/custom-cut")).toList().isEmpty(),
                "no file of the cut-short backup stays, and no manifest says it is complete");
        assertEquals(List.of("custom-stream"), catalog.list().stream().map(BackupManifest::backupId).toList());
        assertTrue(m.totalBytes() > 0);
    }

    @Test
    void directoryFormatWithParallelJobsRestoresEveryRow() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "dir-1", Format.DIRECTORY, "none", 2);
        assertTrue(m.files().size() > 5, "toc.dat plus one file per table: " + m.files());
        assertTrue(m.files().stream().allMatch(f -> f.path().startsWith("agent_shop.dir/") && f.sha256().length() == 64));
        pg.exec("postgres", "CREATE DATABASE agent_shop_dir"); // an existing empty database is used as is
        LogicalRestore.Result r = restore(catalog, "dir-1", "agent_shop_dir", false, 2);
        assertEquals(List.of(), r.mismatches());
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_shop_dir"));
        assertEquals(List.of("dir-1"), catalog.list().stream().map(BackupManifest::backupId).toList());
    }

    @Test
    void corruptedFileIsRefusedBeforeAnythingIsCreated() throws Exception {
        BackupCatalog catalog = catalog();
        backup(catalog, "corrupt-1", Format.CUSTOM, "none", 1);
        Path dump = tmp.resolve("backups/corrupt-1/agent_shop.dump");
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0x01); // one bit, same size
        }
        AgentException e = assertThrows(AgentException.class, () -> restore(catalog, "corrupt-1", "agent_shop_corrupt", false, 1));
        assertEquals(AgentException.Reason.CHECKSUM_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("agent_shop.dump") && e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertFalse(ShopFixture.databaseExists(pg, "agent_shop_corrupt"));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("backups"), left.map(p -> p.getFileName().toString()).toList(), "spool cleaned up");
        }
    }

    @Test
    void dumpFromANewerMajorIsRefused() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "newer-1", Format.CUSTOM, "gzip", 1);
        catalog.writeManifest(withVersion(m, 170002));
        AgentException e = assertThrows(AgentException.class, () -> restore(catalog, "newer-1", "agent_shop_newer", false, 1));
        assertEquals(AgentException.Reason.VERSION_TOO_NEW, e.reason());
        assertFalse(ShopFixture.databaseExists(pg, "agent_shop_newer"));
    }

    @Test
    void restoreDrillComparesCountsRunsChecksAndDropsItsScratchDatabase() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "drill-1", Format.CUSTOM, "gzip:1", 1);
        RestoreDrill drill = new RestoreDrill(PgTools.locate(), catalog, tmp);

        RestoreDrill.Result ok = drill.run(pg.superuser(), "drill-1", SHOP,
                List.of("SELECT count(*) = 3000 FROM orders", "SELECT last_value = 3999 FROM invoice_no"), 1, TIMEOUT);
        assertTrue(ok.ok(), ok.mismatches().toString());

        RestoreDrill.Result bad = drill.run(pg.superuser(), "drill-1", null,
                List.of("SELECT true", "SELECT count(*) = 1 FROM customers", "SELECT 1", "SELECT * FROM nowhere"), 1, TIMEOUT);
        assertFalse(bad.ok());
        assertEquals(3, bad.mismatches().size(), bad.mismatches().toString());
        assertTrue(bad.mismatches().get(0).startsWith("check #2 returned false"), bad.mismatches().toString());
        assertTrue(bad.mismatches().get(1).startsWith("check #3 must return one boolean"), bad.mismatches().toString());
        assertTrue(bad.mismatches().get(2).startsWith("check #4 failed"), bad.mismatches().toString());

        // a manifest that claims other counts than the dump holds: the drill must notice
        var counts = new java.util.TreeMap<>(m.rowCounts().get(SHOP));
        counts.put("public.customers", 1001L);
        catalog.writeManifest(new BackupManifest(m.manifestVersion(), m.backupId(), m.method(), m.format(), m.compression(), m.databases(),
                m.serverVersion(), m.serverVersionNum(), m.toolVersion(), m.startedAt(), m.finishedAt(), m.durationMillis(), m.files(),
                m.totalBytes(), m.walRange(), Map.of(SHOP, counts), m.consistency(), m.encryption()));
        RestoreDrill.Result miscounted = drill.run(pg.superuser(), "drill-1", null, List.of(), 1, TIMEOUT);
        assertEquals(List.of("public.customers: 1001 rows in the backup, 1000 after restore"), miscounted.mismatches());

        try (var c = pg.connect(); var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'shopdb_verify_%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "scratch databases dropped");
        }
    }

    @Test
    void physicalBackupIsATarWithWalAndAManifestThatPgVerifybackupAccepts() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = new PhysicalBackup(PgTools.locate(), catalog, tmp).run(pg.superuser(), "phys-1",
                new PhysicalBackup.Options(Compression.NONE, PhysicalBackup.WalMethod.STREAM, TIMEOUT));
        assertEquals(List.of("backup_manifest", "base.tar", "pg_wal.tar"), m.files().stream().map(BackupManifest.FileEntry::path).toList());
        assertNotNull(m.walRange());
        assertTrue(m.walRange().startLsn().matches("[0-9A-F]+/[0-9A-F]+"), m.walRange().toString());
        assertEquals(1, m.walRange().timeline());
        assertEquals(15, m.serverMajor());

        Path data = tmp.resolve("restored-data");
        new PhysicalRestore(catalog, tmp).unpack("phys-1", data);
        assertTrue(Files.exists(data.resolve("PG_VERSION")));
        Process p = new ProcessBuilder(PgTools.locate().bin("pg_verifybackup").toString(), data.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("backup successfully verified"), out);

        AgentException e = assertThrows(AgentException.class, () -> new PhysicalRestore(catalog, tmp).unpack("phys-1", data));
        assertEquals(AgentException.Reason.TARGET_NOT_EMPTY, e.reason());
    }

    static BackupManifest withVersion(BackupManifest m, int versionNum) {
        return new BackupManifest(m.manifestVersion(), m.backupId(), m.method(), m.format(), m.compression(), m.databases(),
                versionNum / 10000 + ".0", versionNum, m.toolVersion(), m.startedAt(), m.finishedAt(), m.durationMillis(), m.files(),
                m.totalBytes(), m.walRange(), m.rowCounts(), m.consistency(), m.encryption());
    }
}
