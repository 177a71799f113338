package io.shopdb.operator.agent.wal;

import io.shopdb.operator.agent.DirectoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standby's restore_command as the server runs it: the real restore-wal.sh against the wal-fetcher loop. An archived
 * file arrives whole at %p; one not archived yet, or damaged in the archive, is a failed restore_command (PostgreSQL
 * then streams or asks again) and leaves no answer behind that would answer a later request.
 */
class WalFetcherTest {
    private static final String WAL = "000000010000000000000007";
    private Path work;
    private Path handoff;
    private Path script;
    private WalArchive archive;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread fetcher;

    @BeforeEach
    void start() throws Exception {
        work = Files.createTempDirectory("walfetch-");
        script = work.resolve("restore-wal.sh");
        try (InputStream in = getClass().getResourceAsStream("/io/shopdb/operator/cluster/restore-wal.sh")) {
            Files.write(script, in.readAllBytes());
        }
        handoff = Files.createDirectories(work.resolve("handoff"));
        archive = new WalArchive(new DirectoryStorage(work.resolve("store")), "wal/ns/east/uid", 1);
        fetcher = new Thread(() -> new WalFetcher(archive, handoff, 2).run(stop::get));
        fetcher.start();
        while (!Files.isDirectory(handoff.resolve("missing"))) {
            Thread.sleep(10);
        }
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        fetcher.join(5000);
    }

    private ProcessBuilder env(ProcessBuilder b) {
        b.environment().put("SHOPDB_WAL_FETCH", handoff.toString());
        return b;
    }

    @Test
    void anArchivedFileArrivesWholeAndAMissingOneFailsTheCommandUntilItIsArchived() throws Exception {
        byte[] segment = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(segment);
        Path target = work.resolve("pg_wal/RECOVERYXLOG");
        Files.createDirectories(target.getParent());

        assertEquals(1, run(WAL, target), "not archived yet: the server streams, or asks again");
        assertFalse(Files.exists(target));

        Path source = work.resolve(WAL);
        Files.write(source, segment);
        archive.archive(source, WAL);
        assertEquals(0, run(WAL, target), "archived since: the stale answer 'missing' does not answer the new request");
        assertArrayEquals(segment, Files.readAllBytes(target));
        assertEmpty("fetch");
        assertEmpty("fetched");
        assertEmpty("missing");
    }

    @Test
    void aDamagedArchivedFileIsNeverHandedToTheServer() throws Exception {
        Path source = work.resolve(WAL);
        Files.writeString(source, "a segment");
        archive.archive(source, WAL);
        try (Stream<Path> files = Files.walk(work.resolve("store"))) {
            Path stored = files.filter(Files::isRegularFile).findFirst().orElseThrow();
            Files.write(stored, "damaged".getBytes(StandardCharsets.UTF_8));
        }
        Path target = work.resolve("RECOVERYXLOG");
        assertEquals(1, run(WAL, target));
        assertFalse(Files.exists(target), "nothing reaches the server");
    }

    private int run(String file, Path target) throws Exception {
        Process p = env(new ProcessBuilder("sh", script.toString(), file, target.toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(40, TimeUnit.SECONDS), "restore-wal.sh answers");
        return p.exitValue();
    }

    private void assertEmpty(String sub) throws Exception {
        try (Stream<Path> files = Files.list(handoff.resolve(sub))) {
            assertEquals(0, files.count(), sub + " is left empty");
        }
    }
}
