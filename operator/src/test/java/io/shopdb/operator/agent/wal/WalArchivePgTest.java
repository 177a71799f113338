package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.agent.AgentCommand;
import io.shopdb.operator.agent.BackupCatalog;
import io.shopdb.operator.agent.BackupManifest;
import io.shopdb.operator.agent.Compression;
import io.shopdb.operator.agent.DirectoryStorage;
import io.shopdb.operator.agent.PgTools;
import io.shopdb.operator.agent.PhysicalBackup;
import io.shopdb.operator.agent.PhysicalRestore;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.testing.TestPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * WAL archiving as an instance does it (archive_command = the cluster's archive-wal.sh, handing files to a running
 * {@link WalArchiver}) against a real PostgreSQL 15, and point-in-time recovery as a cluster's init container and
 * bootstrap.sh do it: unpack a physical backup, prepare-recovery, start postgres with the recovery options.
 */
class WalArchivePgTest {
    static TestPostgres pg;
    static Path work;
    static Path handoff;
    static DirectoryStorage storage;
    static WalArchive archive;
    static final AtomicBoolean stop = new AtomicBoolean();
    static Thread archiver;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("walarchive-pgtest-");
        storage = new DirectoryStorage(work.resolve("store"));
        archive = new WalArchive(storage, "wal/src", 1);
        Path script = work.resolve("archive-wal.sh");
        try (InputStream in = WalArchivePgTest.class.getResourceAsStream("/io/shopdb/operator/cluster/archive-wal.sh")) {
            Files.write(script, in.readAllBytes());
        }
        handoff = work.resolve("handoff");
        Files.createDirectories(handoff);
        LocalPostgres.handOver(handoff);
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        pg = TestPostgres.start(dir -> {
            Files.writeString(dir.resolve("data/postgresql.auto.conf"), "archive_mode = on\n"
                    + "archive_command = 'SHOPDB_WAL_HANDOFF=" + handoff + " sh " + script + " %p %f'\n", java.nio.file.StandardOpenOption.APPEND);
            return Map.of();
        });
        Path pgdata = pg.dir().resolve("data");
        archiver = new Thread(() -> new WalArchiver(archive, pgdata, handoff, null, null, 4).run(stop::get));
        archiver.start();
    }

    @AfterAll
    static void stopAll() throws Exception {
        stop.set(true);
        archiver.join(5000);
        pg.stop();
        LocalPostgres.deleteTree(work);
    }

    static String switchWal(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void awaitArchived(String walFile) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (Connection c = pg.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")) {
                rs.next();
                String last = rs.getString(1);
                return !last.isEmpty() && last.substring(0, 24).compareTo(walFile) >= 0;
            }
        });
    }

    static String now(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void archivedWalRecoversExactlyTheRowsCommittedBeforeTheTargetTime() throws Exception {
        BackupCatalog catalog = new BackupCatalog(storage);
        BackupManifest backup = new PhysicalBackup(PgTools.locate(), catalog, work).run(pg.superuser(), "base-1",
                new PhysicalBackup.Options(Compression.NONE, PhysicalBackup.WalMethod.STREAM, Duration.ofMinutes(5)));
        String target;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pitr_orders (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
            st.execute("INSERT INTO pitr_orders (id) VALUES (1)"); // t1
            st.execute("INSERT INTO pitr_orders (id) VALUES (2)"); // t2
            target = now(c);                                    // between t2 and t3
            Thread.sleep(20);
            st.execute("INSERT INTO pitr_orders (id) VALUES (3)"); // t3
            awaitArchived(switchWal(c));
        }
        WalArchive.Entry first = archive.list().stream().filter(e -> WalNames.isSegment(e.walFile())).findFirst().orElseThrow();
        assertTrue(first.key().endsWith(".gz"), first.key());
        // the key's checksum is the SHA-256 of the segment as PostgreSQL wrote it
        assertEquals(first.sha256(), io.shopdb.operator.agent.Checksums.of(archive.read(first)).sha256());

        // a target before the backup is refused before anything starts
        Path data = work.resolve("restored/pgdata");
        new PhysicalRestore(catalog, work).unpackStaged(backup.backupId(), data);
        assertEquals(AgentExit.INVALID, prepare(data, "--target-lsn", "0/1000000").code());
        AgentExit after = prepare(data, "--target-lsn", "FF/0");
        assertEquals(6, after.code(), after.output());
        assertTrue(after.output().contains("after the end of the archive"), after.output());

        AgentExit ok = prepare(data, "--target-time", target);
        assertEquals(0, ok.code(), ok.output());
        assertTrue(Files.exists(data.resolve("recovery.signal")));
        String options = Files.readString(work.resolve("restored/recovery.conf"));
        assertTrue(options.contains("recovery_target_time=" + target + "\n") && options.contains("recovery_target_action=promote"), options);

        try (RecoveredServer server = RecoveredServer.start(data, work.resolve("restored/recovery.conf"))) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT array_agg(id ORDER BY id)::text FROM pitr_orders");
                rs.next();
                assertEquals("{1,2}", rs.getString(1), "exactly the rows committed before the target");
                rs = st.executeQuery("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)");
                rs.next();
                assertEquals("00000002", rs.getString(1), "promoted onto a new timeline");
            }
        }
    }

    @Test
    void archivingIsIdempotentAndRefusesOtherContent() throws Exception {
        WalArchive a = new WalArchive(storage, "wal/idempotence", 6);
        Path seg = work.resolve("000000010000000000000007");
        Files.write(seg, "segment content".repeat(1000).getBytes(StandardCharsets.UTF_8));
        WalArchive.Entry e1 = a.archive(seg, seg.getFileName().toString());
        WalArchive.Entry e2 = a.archive(seg, seg.getFileName().toString());
        assertEquals(e1, e2, "the same content twice is success");
        Files.writeString(seg, "other content");
        var conflict = assertThrows(io.shopdb.operator.agent.protocol.AgentException.class, () -> a.archive(seg, seg.getFileName().toString()));
        assertEquals(io.shopdb.operator.agent.protocol.AgentException.Reason.WAL_CONFLICT, conflict.reason());
        assertEquals(List.of(e1), a.list(), "the archived copy is never overwritten");

        // a damaged object is refused before anyone replays it
        Path stored = storage.pathOf(e1.key());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(stored, bytes);
        var corrupt = assertThrows(io.shopdb.operator.agent.protocol.AgentException.class, () -> a.restore(e1.walFile(), work.resolve("RECOVERYXLOG")));
        assertEquals(io.shopdb.operator.agent.protocol.AgentException.Reason.CHECKSUM_MISMATCH, corrupt.reason());
        assertFalse(Files.exists(work.resolve("RECOVERYXLOG")));
    }

    @Test
    void retentionDeletesOnlyWalOlderThanTheOldestKeptBackup() throws Exception {
        WalArchive a = new WalArchive(storage, "wal/retention", 0);
        Path f = work.resolve("wal-file");
        Files.writeString(f, "x");
        for (String name : List.of("000000010000000000000001", "000000010000000000000002", "000000010000000000000003.partial",
                "00000002.history", "000000020000000000000003", "000000020000000000000004", "000000010000000000000002.00000028.backup")) {
            a.archive(f, name);
        }
        assertEquals(3, a.pruneBefore(WalNames.segmentOf("000000020000000000000003")));
        assertEquals(List.of("000000010000000000000003.partial", "00000002.history", "000000020000000000000003", "000000020000000000000004"),
                a.list().stream().map(WalArchive.Entry::walFile).sorted().toList());
    }

    @Test
    void recoverySettingsAreOnePostgresSettingPerLineWithAtMostOneTarget() {
        Path wal = Path.of("/data/wal-restore");
        String head = "restore_command=cp \"/data/wal-restore/%f\" \"%p\"\n";
        assertEquals(head + "recovery_target_xid=7421\nrecovery_target_action=promote\n",
                RecoveryPreparation.options(wal, new RecoveryPreparation.Target(null, null, "7421", null)));
        assertEquals(head + "recovery_target_lsn=0/3000060\nrecovery_target_action=promote\n",
                RecoveryPreparation.options(wal, new RecoveryPreparation.Target(null, "0/3000060", null, null)));
        assertEquals(head + "recovery_target_name=before-migration\nrecovery_target_action=promote\n",
                RecoveryPreparation.options(wal, new RecoveryPreparation.Target(null, null, null, "before-migration")));
        assertEquals(head + "recovery_target_action=promote\n", RecoveryPreparation.options(wal, RecoveryPreparation.Target.END),
                "no target: the end of the archive");
    }

    record AgentExit(int code, String output) {
        static final int INVALID = 2;
    }

    static AgentExit prepare(Path data, String... target) {
        List<String> args = new ArrayList<>(List.of("prepare-recovery", "--dir", storage.root().toString(), "--archive-prefix", "wal/src",
                "--data-dir", data.toString(), "--wal-dir", data.resolveSibling("wal-restore").toString(),
                "--options-file", data.resolveSibling("recovery.conf").toString()));
        args.addAll(List.of(target));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = AgentCommand.run(args.toArray(String[]::new), new PrintStream(buf, true, StandardCharsets.UTF_8), Map.of());
        String out = buf.toString(StandardCharsets.UTF_8);
        AgentSummary.parse(out.lines().findFirst().orElse(""));
        return new AgentExit(code, out);
    }

    /** postgres on a recovered data directory, started the way bootstrap.sh starts it (each options line a -c). */
    static final class RecoveredServer implements AutoCloseable {
        final Path data;
        final int port;
        final Process process;

        private RecoveredServer(Path data, int port, Process process) {
            this.data = data;
            this.port = port;
            this.process = process;
        }

        static RecoveredServer start(Path data, Path options) throws Exception {
            LocalPostgres.handOver(data.getParent());
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String script = "d=$1; o=$2; b=$3; port=$4; set --; while IFS= read -r line; do set -- \"$@\" -c \"$line\"; done < \"$o\"; "
                    + "exec \"$b/postgres\" -D \"$d\" -p \"$port\" -k \"$d/..\" -c listen_addresses=127.0.0.1 -c max_connections=200 -c archive_mode=off \"$@\"";
            List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
            cmd.addAll(List.of("sh", "-c", script, "sh", data.toString(), options.toString(), LocalPostgres.binDir().toString(), String.valueOf(port)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolveSibling("server.log").toFile()).start();
            RecoveredServer server = new RecoveredServer(data, port, p);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> {
                assertTrue(p.isAlive(), () -> log(data));
                try (Connection c = server.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
            return server;
        }

        static String log(Path data) {
            try {
                return Files.readString(data.resolveSibling("server.log"));
            } catch (Exception e) {
                return "";
            }
        }

        Connection connect() throws SQLException {
            var su = pg.superuser();
            return PgConnections.open(new io.shopdb.operator.sql.PgEndpoint("127.0.0.1", port, "postgres", su.user(), su.password(), "disable"));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor();
        }
    }
}
