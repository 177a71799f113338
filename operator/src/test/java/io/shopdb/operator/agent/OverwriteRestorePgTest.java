package io.shopdb.operator.agent;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An overwrite restore never drops the target before the new data is known to be good: it restores into a scratch
 * database and swaps it in (DatabaseSwap). Real PostgreSQL 15, real pg_dump/pg_restore.
 */
@ExtendWith(PostgresExtension.class)
class OverwriteRestorePgTest {
    static final String SHOP = "ow_shop";
    static final String TARGET = "ow_target";
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static Map<String, String> source;

    final TestPostgres pg;
    final DatabaseSwap.Names names = DatabaseSwap.names(TARGET);
    @TempDir Path tmp;

    OverwriteRestorePgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @BeforeAll
    static void shop() throws SQLException {
        TestPostgres pg = TestPostgres.shared();
        ShopFixture.create(pg, SHOP);
        source = ShopFixture.fingerprint(pg, SHOP);
    }

    /** The target holds other data than the backup: one table with three rows, owned by an application role with grants. */
    @BeforeEach
    void oldTarget() throws SQLException {
        for (String db : List.of(TARGET, names.scratch(), names.old())) {
            pg.exec("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        pg.exec("postgres",
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ow_app') THEN CREATE ROLE ow_app LOGIN; END IF;"
                        + " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ow_reader') THEN CREATE ROLE ow_reader LOGIN; END IF; END $$",
                "CREATE DATABASE " + TARGET + " OWNER ow_app",
                "REVOKE ALL ON DATABASE " + TARGET + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + TARGET + " TO ow_reader",
                "ALTER DATABASE " + TARGET + " SET search_path = \"$user\", 'Odd \"Schema', public",
                "ALTER ROLE ow_reader IN DATABASE " + TARGET + " SET statement_timeout = '5s'",
                "ALTER DATABASE " + TARGET + " CONNECTION LIMIT 40");
        pg.exec(TARGET, "CREATE TABLE old_data (id int PRIMARY KEY)", "INSERT INTO old_data VALUES (1), (2), (3)");
    }

    BackupCatalog catalog() throws IOException {
        return new BackupCatalog(new DirectoryStorage(tmp.resolve("backups")));
    }

    BackupManifest backup(BackupCatalog catalog, String id) {
        return new LogicalBackup(PgTools.locate(), catalog, tmp).run(pg.superuser(), id,
                new LogicalBackup.Options(List.of(SHOP), Format.CUSTOM, Compression.parse("gzip:1"), 1, TIMEOUT));
    }

    LogicalRestore.Result overwrite(BackupCatalog catalog, String id, int jobs) {
        return new LogicalRestore(PgTools.locate(), catalog, tmp).run(pg.superuser(),
                new LogicalRestore.Request(id, null, TARGET, true, jobs, false, TIMEOUT));
    }

    @Test
    void overwriteReplacesTheDataAndKeepsTheTargetsOwnerGrantsAndSettings() throws Exception {
        BackupCatalog catalog = catalog();
        backup(catalog, "ow-1");
        String identityBefore = identity(TARGET);
        try (Connection session = pg.connect(TARGET)) { // an application session on the old data: ended by the swap
            LogicalRestore.Result r = overwrite(catalog, "ow-1", 1);
            assertEquals(List.of(), r.mismatches());
            assertTrue(session.isClosed() || !session.isValid(2), "the swap ends sessions on the replaced database");
        }
        assertEquals(source, ShopFixture.fingerprint(pg, TARGET), "overwrite replaces the database whole");
        assertFalse(tableExists(TARGET, "old_data"), "nothing of the old data is left");
        assertEquals(identityBefore, identity(TARGET), "owner, ACL, connection limit and settings are the target's");
        assertTrue(identityBefore.contains("ow_app") && identityBefore.contains("ow_reader=c/ow_app")
                && identityBefore.contains("search_path=\"$user\", \"Odd \"\"Schema\", public"), identityBefore);
        assertLeftovers(false, false);
        try (Connection c = pg.connect(TARGET)) {
            assertTrue(c.isValid(2), "the new target accepts connections");
        }
    }

    @Test
    void overwriteFromABrokenDumpFailsAndTheTargetKeepsItsOldRows() throws Exception {
        BackupCatalog catalog = catalog();
        brokenBackup(catalog, "ow-broken");
        String identityBefore = identity(TARGET);

        AgentException e = assertThrows(AgentException.class, () -> overwrite(catalog, "ow-broken", 1));
        assertEquals(List.of(1, 2, 3), oldRows(), "the old data is untouched");
        assertEquals(AgentException.Reason.TOOL_FAILED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("pg_restore failed") && e.getMessage().endsWith("database " + TARGET + " was left as it was"),
                e.getMessage());
        assertEquals(identityBefore, identity(TARGET));
        assertLeftovers(false, false);

        // with parallel jobs pg_restore commits table by table: the half-filled copy must not become the target either
        assertThrows(AgentException.class, () -> overwrite(catalog, "ow-broken", 2));
        assertEquals(List.of(1, 2, 3), oldRows());
        assertLeftovers(false, false);
    }

    @Test
    void rowCountsThatDifferFromTheManifestKeepTheOldData() throws Exception {
        BackupCatalog catalog = catalog();
        BackupManifest m = backup(catalog, "ow-miscount");
        var counts = new java.util.TreeMap<>(m.rowCounts().get(SHOP));
        counts.put("public.customers", 1001L);
        catalog.writeManifest(withCountsAndFiles(m, Map.of(SHOP, counts), m.files()));

        AgentException e = assertThrows(AgentException.class, () -> overwrite(catalog, "ow-miscount", 1));
        assertEquals(AgentException.Reason.VERIFY_FAILED, e.reason());
        assertTrue(e.getMessage().contains("public.customers: 1001 rows in the backup, 1000 after restore"), e.getMessage());
        assertEquals(List.of(1, 2, 3), oldRows());
        assertLeftovers(false, false);
    }

    @Test
    void aRerunConvergesWhatAnInterruptedSwapLeft() throws Exception {
        BackupCatalog catalog = catalog();
        backup(catalog, "ow-good");
        brokenBackup(catalog, "ow-broken");

        // (1) died between the renames: the target is missing, the old data sits under the old name (locked out, as the
        // swap leaves it), a restored scratch database is there. The rerun puts the old data back first: even when the
        // rerun's own restore then fails, the target has its old rows again
        pg.exec("postgres", "ALTER DATABASE " + TARGET + " WITH ALLOW_CONNECTIONS false",
                "ALTER DATABASE " + TARGET + " RENAME TO " + names.old(), "CREATE DATABASE " + names.scratch());
        assertFalse(ShopFixture.databaseExists(pg, TARGET));
        assertThrows(AgentException.class, () -> overwrite(catalog, "ow-broken", 1));
        assertEquals(List.of(1, 2, 3), oldRows(), "renamed back");
        assertLeftovers(false, false);

        // (2) died after the swap committed, before the old database was dropped: the rerun drops it and restores again
        pg.exec("postgres", "CREATE DATABASE " + names.old() + " WITH ALLOW_CONNECTIONS false");
        overwrite(catalog, "ow-good", 1);
        assertEquals(source, ShopFixture.fingerprint(pg, TARGET));
        assertLeftovers(false, false);

        // (3) died after locking the target out, before the renames committed: the target is reachable again, the
        // scratch database is dropped, and the rerun's swap goes through
        oldTarget();
        pg.exec("postgres", "CREATE DATABASE " + names.scratch(), "ALTER DATABASE " + TARGET + " WITH ALLOW_CONNECTIONS false");
        overwrite(catalog, "ow-good", 1);
        assertEquals(source, ShopFixture.fingerprint(pg, TARGET));
        assertLeftovers(false, false);
    }

    @Test
    void aSecondRestoreIntoTheSameTargetWaitsItsTurn() throws Exception {
        BackupCatalog catalog = catalog();
        backup(catalog, "ow-lock");
        try (Connection other = pg.connect(); PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            ps.setLong(1, names.lockKey());
            ps.execute();
            AgentException e = assertThrows(AgentException.class, () -> overwrite(catalog, "ow-lock", 1));
            assertEquals(AgentException.Reason.IO, e.reason());
            assertTrue(e.getMessage().contains("another restore into database " + TARGET), e.getMessage());
        }
        assertEquals(List.of(1, 2, 3), oldRows());
    }

    @Test
    void scratchNamesAreShortFixedAndDerivedFromTheTarget() {
        String longest = "ä".repeat(31) + "x"; // 63 bytes
        DatabaseSwap.Names n = DatabaseSwap.names(longest);
        assertEquals(31, n.scratch().length());
        assertTrue(n.scratch().startsWith("shopdb_restore_new_") && n.old().startsWith("shopdb_restore_old_"));
        assertEquals(n, DatabaseSwap.names(longest), "a rerun finds the same names");
        assertNotEquals(n.scratch(), DatabaseSwap.names("Ow_target").scratch());
        assertEquals(List.of("$user", "Odd \"Schema", "public"), DatabaseSwap.splitList("\"$user\", \"Odd \"\"Schema\", public"));
        assertEquals(List.of(), DatabaseSwap.splitList(""));
    }

    /** A dump cut short, with a manifest whose checksum matches the cut file: it passes the checksum check and fails in pg_restore. */
    private void brokenBackup(BackupCatalog catalog, String id) throws IOException {
        BackupManifest m = backup(catalog, id);
        Path dump = tmp.resolve("backups/" + id + "/" + SHOP + ".dump");
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "rw")) {
            f.setLength(f.length() * 2 / 3);
        }
        var file = m.files().get(0);
        Checksums.Digest sum = Checksums.of(dump);
        catalog.writeManifest(withCountsAndFiles(m, m.rowCounts(),
                List.of(new BackupManifest.FileEntry(file.path(), file.database(), sum.size(), sum.sha256()))));
    }

    private static BackupManifest withCountsAndFiles(BackupManifest m, Map<String, Map<String, Long>> counts, List<BackupManifest.FileEntry> files) {
        return new BackupManifest(m.manifestVersion(), m.backupId(), m.method(), m.format(), m.compression(), m.databases(),
                m.serverVersion(), m.serverVersionNum(), m.toolVersion(), m.startedAt(), m.finishedAt(), m.durationMillis(), files,
                files.stream().mapToLong(BackupManifest.FileEntry::size).sum(), m.walRange(), counts, m.consistency(), m.encryption());
    }

    private List<Integer> oldRows() throws SQLException {
        assertTrue(ShopFixture.databaseExists(pg, TARGET), "database " + TARGET + " exists");
        try (Connection c = pg.connect(TARGET); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM old_data ORDER BY id")) {
            List<Integer> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    private boolean tableExists(String db, String table) throws SQLException {
        try (Connection c = pg.connect(db); PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Owner, ACL, connection limit, encoding/collation, whether it takes connections, and every setting, as one string. */
    private String identity(String db) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT pg_get_userbyid(d.datdba) || ' acl=' || coalesce(d.datacl::text, 'default') || ' limit=' || d.datconnlimit
                       || ' ' || pg_encoding_to_char(d.encoding) || '/' || d.datcollate || '/' || d.datctype || ' allowconn=' || d.datallowconn
                       || ' settings=' || coalesce((SELECT string_agg(coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '*') || ':'
                                                   || array_to_string(s.setconfig, ';'), ' | ' ORDER BY s.setrole)
                                                   FROM pg_db_role_setting s WHERE s.setdatabase = d.oid), '')
                FROM pg_database d WHERE d.datname = ?""")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "database " + db + " exists");
                return rs.getString(1);
            }
        }
    }

    private void assertLeftovers(boolean scratch, boolean old) throws SQLException {
        assertEquals(scratch, ShopFixture.databaseExists(pg, names.scratch()), "scratch database " + names.scratch());
        assertEquals(old, ShopFixture.databaseExists(pg, names.old()), "old database " + names.old());
    }
}
