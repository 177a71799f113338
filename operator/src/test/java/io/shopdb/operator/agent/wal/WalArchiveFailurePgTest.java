package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.DirectoryStorage;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.testing.TestPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A file the archive already holds with other content: the sidecar refuses it (never overwrites), archive_command
 * fails with the reason in the server log, PostgreSQL counts the failure (what status.walArchive and the alert read),
 * keeps the segment and retries it.
 */
class WalArchiveFailurePgTest {

    @Test
    void aConflictingFileFailsLoudlyAndIsCountedByPostgres() throws Exception {
        Path work = Files.createTempDirectory("walarchive-fail-");
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = work.resolve("archive-wal.sh");
        try (InputStream in = getClass().getResourceAsStream("/io/shopdb/operator/cluster/archive-wal.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Path handoff = Files.createDirectories(work.resolve("handoff"));
        LocalPostgres.handOver(handoff);
        TestPostgres pg = TestPostgres.start(dir -> {
            Files.writeString(dir.resolve("data/postgresql.auto.conf"), "archive_mode = on\n"
                    + "archive_command = 'SHOPDB_WAL_HANDOFF=" + handoff + " sh " + script + " %p %f'\n", java.nio.file.StandardOpenOption.APPEND);
            return Map.of();
        });
        AtomicBoolean stop = new AtomicBoolean();
        WalArchive archive = new WalArchive(new DirectoryStorage(work.resolve("store")), "wal/conflict", 1);
        Thread archiver = new Thread(() -> new WalArchiver(archive, pg.dir().resolve("data"), handoff, null, null, 2).run(stop::get));
        archiver.start();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn())");
            rs.next();
            String current = rs.getString(1);
            Path other = work.resolve("other");
            Files.writeString(other, "another cluster's segment of the same name");
            archive.archive(other, current); // a second cluster of this name archived here first
            st.execute("SELECT pg_switch_wal()");
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (ResultSet r = st.executeQuery("SELECT failed_count, coalesce(last_failed_wal, '') FROM pg_stat_archiver")) {
                    r.next();
                    return r.getLong(1) > 0 && r.getString(2).equals(current);
                }
            });
            rs = st.executeQuery("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            rs.next();
            assertTrue(rs.getString(1).isEmpty() || rs.getString(1).compareTo(current) < 0, "never archived over the conflict");
            assertTrue(Files.exists(pg.dir().resolve("data/pg_wal/archive_status/" + current + ".ready")), "the segment is kept for a retry");
            String log = Files.readString(pg.dir().resolve("server.log"));
            assertTrue(log.contains("is already archived") && log.contains("with other content"), "the reason is in the server log");
            assertEquals(1, archive.list().size(), "the archived copy is untouched");
        } finally {
            stop.set(true);
            archiver.join(5000);
            pg.stop();
            LocalPostgres.deleteTree(work);
        }
    }
}
