package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The agent against a real S3-protocol server in-process (S3Proxy on a jclouds filesystem blobstore), end to end through the CLI. */
@ExtendWith(PostgresExtension.class)
class S3AgentPgTest {
    static final String ACCESS = "agent-access";
    static final String SECRET = "agent-secret-key-value";
    static Path dir;
    static BlobStoreContext blobs;
    static S3Proxy proxy;
    static URI endpoint;

    final TestPostgres pg;

    S3AgentPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @BeforeAll
    static void startS3() throws Exception {
        dir = Files.createTempDirectory("agent-s3-");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        blobs = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(props).build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, "backups");
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        // start() returns before Jetty reports STARTED
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.stop();
        blobs.close();
        io.shopdb.operator.testing.LocalPostgres.deleteTree(dir);
    }

    static S3Storage storage(String prefix) {
        return new S3Storage(new S3Storage.Settings("backups", prefix, endpoint, "us-east-1", true, ACCESS, SECRET.toCharArray(),
                null, null, 5 * 1024 * 1024));
    }

    @Test
    void largeObjectsGoUpInPartsAndComeBackIntact() throws Exception {
        byte[] data = new byte[11 * 1024 * 1024 + 123]; // three parts of 5 MiB, 5 MiB, rest
        new Random(42).nextBytes(data);
        try (S3Storage s3 = storage("multi")) {
            s3.put("b/big.bin", new ByteArrayInputStream(data), data.length);
            s3.put("b/small.bin", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3);
            try (InputStream in = s3.get("b/big.bin")) {
                assertEquals(Checksums.of(data), Checksums.copy(in, ByteArrayOutputStream.nullOutputStream()));
            }
            assertEquals(List.of(new BackupStorage.StoredObject("b/big.bin", data.length), new BackupStorage.StoredObject("b/small.bin", 3)),
                    s3.list("b/"));
            s3.delete("b/big.bin");
            s3.delete("b/big.bin"); // deleting twice is fine (retention retries)
            assertEquals(List.of(new BackupStorage.StoredObject("b/small.bin", 3)), s3.list(""));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> s3.get("b/big.bin"));
        }
    }

    @Test
    void streamsOfUnknownLengthGoUpInPartsAndAFailedOneLeavesNoObject() throws Exception {
        int part = 5 * 1024 * 1024;
        byte[] data = new byte[2 * part + 77];
        new Random(7).nextBytes(data);
        try (S3Storage s3 = storage("stream")) {
            assertEquals(data.length, s3.putStream("s/big.dump", new ByteArrayInputStream(data)));
            assertEquals(part, s3.putStream("s/exact.dump", new ByteArrayInputStream(data, 0, part)), "exactly one part");
            assertEquals(0, s3.putStream("s/empty.dump", new ByteArrayInputStream(new byte[0])));
            try (InputStream in = s3.get("s/big.dump")) {
                assertEquals(Checksums.of(data), Checksums.copy(in, ByteArrayOutputStream.nullOutputStream()));
            }
            InputStream breaks = new java.io.SequenceInputStream(new ByteArrayInputStream(data, 0, part + 10), new InputStream() {
                @Override
                public int read() throws java.io.IOException {
                    throw new java.io.IOException("pg_dump's pipe broke");
                }
            });
            assertThrows(java.io.IOException.class, () -> s3.putStream("s/broken.dump", breaks));
            assertEquals(List.of("s/big.dump", "s/empty.dump", "s/exact.dump"),
                    s3.list("s/").stream().map(BackupStorage.StoredObject::key).toList(), "the aborted upload left no object");
        }
    }

    @Test
    void backupListRestoreAndVerifyThroughTheCommandLine() throws Exception {
        ShopFixture.create(pg, "agent_s3shop");
        Map<String, String> source = ShopFixture.fingerprint(pg, "agent_s3shop");
        String password = new String(pg.superuser().password());
        Map<String, String> env = Map.of("PGPASSWORD", password, "AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", SECRET);
        List<String> common = List.of("--s3-bucket", "backups", "--s3-prefix", "prod/shop", "--s3-endpoint", endpoint.toString(),
                "--s3-path-style", "--host", "127.0.0.1", "--port", String.valueOf(pg.port()), "--user", "postgres", "--sslmode", "disable");

        String out = cli(env, 0, concat(List.of("agent", "backup", "--database", "agent_s3shop", "--format", "directory", "--jobs", "2",
                "--backup-id", "s3-1"), common));
        assertTrue(out.contains("\"backupId\":\"s3-1\""), out);
        out = cli(env, 0, concat(List.of("agent", "backup", "--database", "agent_s3shop", "--backup-id", "s3-2"), common));

        out = cli(env, 0, List.of("agent", "list", "--s3-bucket", "backups", "--s3-prefix", "prod/shop", "--s3-endpoint", endpoint.toString(),
                "--s3-path-style"));
        assertTrue(out.contains("s3-1") && out.contains("s3-2"), out);

        out = cli(env, 0, concat(List.of("agent", "restore", "--backup-id", "s3-1", "--target-database", "agent_s3shop_copy", "--jobs", "2"), common));
        assertTrue(out.contains("\"mismatches\":[]"), out);
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_s3shop_copy"));

        out = cli(env, 0, concat(List.of("agent", "verify", "--backup-id", "s3-2", "--check", "SELECT count(*) = 500 FROM products"), common));
        assertTrue(out.contains("\"ok\":true"), out);
        out = cli(env, AgentException.Reason.VERIFY_FAILED.exitCode,
                concat(List.of("agent", "verify", "--backup-id", "s3-2", "--check", "SELECT count(*) = 0 FROM products"), common));

        // wrong S3 secret: a clear failure, and the secret itself is never echoed
        Map<String, String> badKey = Map.of("PGPASSWORD", password, "AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", "wrong-secret-123");
        out = cli(badKey, AgentException.Reason.IO.exitCode, concat(List.of("agent", "backup", "--database", "agent_s3shop", "--backup-id", "s3-3"), common));
        assertFalse(out.contains("wrong-secret-123"), out);

        // the password and the S3 secret appear in no stored object and no output
        try (S3Storage s3 = storage("prod/shop")) {
            for (BackupStorage.StoredObject o : s3.list("s3-1/")) {
                if (o.key().endsWith(".json")) {
                    try (InputStream in = s3.get(o.key())) {
                        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        assertFalse(text.contains(password) || text.contains(SECRET), o.key());
                    }
                }
            }
            assertTrue(s3.list("s3-3/").isEmpty(), "a failed backup leaves nothing");
        }
    }

    @Test
    void encryptedBackupsAndWalAreCiphertextInTheBucketAndNeedTheirKey(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        ShopFixture.create(pg, "agent_s3enc");
        Map<String, String> source = ShopFixture.fingerprint(pg, "agent_s3enc");
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        byte[] k1 = new byte[32];
        new java.security.SecureRandom().nextBytes(k1);
        Files.writeString(keys.resolve("k1"), java.util.Base64.getEncoder().encodeToString(k1));
        Map<String, String> env = Map.of("PGPASSWORD", new String(pg.superuser().password()), "AWS_ACCESS_KEY_ID", ACCESS,
                "AWS_SECRET_ACCESS_KEY", SECRET, EncryptionKeys.KEYS_DIR_ENV, keys.toString(), EncryptionKeys.KEY_ID_ENV, "k1");
        List<String> common = List.of("--s3-bucket", "backups", "--s3-prefix", "enc/shop", "--s3-endpoint", endpoint.toString(),
                "--s3-path-style", "--s3-part-size-mb", "5", "--host", "127.0.0.1", "--port", String.valueOf(pg.port()), "--user", "postgres",
                "--sslmode", "disable");
        cli(env, 0, concat(List.of("agent", "backup", "--database", "agent_s3enc", "--format", "directory", "--jobs", "2",
                "--backup-id", "enc-1"), common));
        cli(env, 0, concat(List.of("agent", "backup", "--database", "agent_s3enc", "--compression", "none", "--backup-id", "enc-2"), common));
        try (S3Storage s3 = storage("enc/shop")) {
            List<BackupStorage.StoredObject> objects = s3.list("");
            assertTrue(objects.size() > 4, objects.toString());
            for (BackupStorage.StoredObject o : objects) {
                try (InputStream in = s3.get(o.key())) {
                    byte[] head = in.readNBytes(8);
                    assertEquals("SHOPDBE1", new String(head, StandardCharsets.US_ASCII), o.key() + " is stored encrypted");
                }
            }
        }
        String out = cli(env, 0, concat(List.of("agent", "restore", "--backup-id", "enc-1", "--target-database", "agent_s3enc_copy", "--jobs", "2"), common));
        assertTrue(out.contains("\"mismatches\":[]"), out);
        assertEquals(source, ShopFixture.fingerprint(pg, "agent_s3enc_copy"));

        // WAL too: archived encrypted, replayed decrypted
        List<String> wal = List.of("--s3-bucket", "backups", "--s3-prefix", "enc", "--s3-endpoint", endpoint.toString(), "--s3-path-style",
                "--archive-prefix", "wal/shop");
        byte[] segment = new byte[16 * 1024 * 1024];
        new java.util.Random(3).nextBytes(segment);
        Files.write(tmp.resolve("000000010000000000000003"), segment);
        cli(env, 0, concat(List.of("agent", "archive-wal", "--wal-path", tmp.resolve("000000010000000000000003").toString(),
                "--wal-file", "000000010000000000000003"), wal));
        cli(env, 0, concat(List.of("agent", "restore-wal", "--wal-file", "000000010000000000000003", "--target-path",
                tmp.resolve("RECOVERYXLOG").toString()), wal));
        assertArrayEquals(segment, Files.readAllBytes(tmp.resolve("RECOVERYXLOG")));

        // the key gone from the Secret: refused before anything is made or replayed, naming the key
        Files.delete(keys.resolve("k1"));
        Files.writeString(keys.resolve("k2"), java.util.Base64.getEncoder().encodeToString(new byte[32]));
        Map<String, String> rotatedAway = new java.util.HashMap<>(env);
        rotatedAway.put(EncryptionKeys.KEY_ID_ENV, "k2");
        out = cli(rotatedAway, AgentException.Reason.KEY.exitCode,
                concat(List.of("agent", "restore", "--backup-id", "enc-2", "--target-database", "agent_s3enc_never"), common));
        assertTrue(out.contains("'k1'") && out.contains("does not hold"), out);
        assertFalse(ShopFixture.databaseExists(pg, "agent_s3enc_never"));
        out = cli(rotatedAway, AgentException.Reason.KEY.exitCode, concat(List.of("agent", "restore-wal", "--wal-file", "000000010000000000000003",
                "--target-path", tmp.resolve("RECOVERYXLOG2").toString()), wal));
        assertFalse(Files.exists(tmp.resolve("RECOVERYXLOG2")));
    }

    @Test
    void walArchiveRoundTripAndACorruptedSegmentIsRefusedBeforeReplay(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", SECRET);
        List<String> bucket = List.of("--s3-bucket", "backups", "--s3-prefix", "prod", "--s3-endpoint", endpoint.toString(), "--s3-path-style",
                "--archive-prefix", "wal/shop");
        pg.exec("postgres", "SELECT pg_switch_wal()"); // at least one finished segment in pg_wal
        Path segment;
        try (var files = Files.list(pg.dir().resolve("data/pg_wal"))) {
            segment = files.filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}")).sorted().findFirst().orElseThrow();
        }
        String name = segment.getFileName().toString();
        Path copy = tmp.resolve(name);
        Files.copy(segment, copy); // a recycled segment could change under us; archive a stable copy
        String out = cli(env, 0, concat(List.of("agent", "archive-wal", "--wal-path", copy.toString(), "--wal-file", name), bucket));
        String sha = Checksums.of(copy).sha256();
        assertTrue(out.contains("\"sha256\":\"" + sha + "\""), out);
        cli(env, 0, concat(List.of("agent", "archive-wal", "--wal-path", copy.toString(), "--wal-file", name), bucket)); // idempotent
        Files.write(tmp.resolve("other"), new byte[] {1, 2, 3});
        out = cli(env, AgentException.Reason.WAL_CONFLICT.exitCode,
                concat(List.of("agent", "archive-wal", "--wal-path", tmp.resolve("other").toString(), "--wal-file", name), bucket));
        assertTrue(out.contains("other content"), out);
        out = cli(env, 0, concat(List.of("agent", "list-wal"), bucket));
        assertTrue(out.contains("\"walFiles\":1") && out.contains(name), out);

        cli(env, 0, concat(List.of("agent", "restore-wal", "--wal-file", name, "--target-path", tmp.resolve("RECOVERYXLOG").toString()), bucket));
        assertArrayEquals(Files.readAllBytes(copy), Files.readAllBytes(tmp.resolve("RECOVERYXLOG")));

        // the stored object (the S3 server's file) replaced by a well-formed gzip of the segment with one byte flipped:
        // gzip's own CRC passes, so only the agent's SHA-256 can catch it; restore refuses it and writes nothing.
        // (Flipping a byte of the compressed file instead can land where deflate decodes the same output.)
        Path stored = dir.resolve("backups/prod/wal/shop/" + name + "." + sha + ".gz");
        byte[] segmentBytes = Files.readAllBytes(copy);
        segmentBytes[segmentBytes.length / 3] ^= 0x01;
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(stored))) {
            gz.write(segmentBytes);
        }
        out = cli(env, AgentException.Reason.CHECKSUM_MISMATCH.exitCode,
                concat(List.of("agent", "restore-wal", "--wal-file", name, "--target-path", tmp.resolve("RECOVERYXLOG2").toString()), bucket));
        assertTrue(out.contains("corrupted, refusing to replay"), out);
        assertFalse(Files.exists(tmp.resolve("RECOVERYXLOG2")));
    }

    static String cli(Map<String, String> env, int expectedExit, List<String> args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = AgentCommand.run(args.toArray(String[]::new), new PrintStream(buf, true, StandardCharsets.UTF_8), env);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, rc, out);
        assertFalse(out.contains("test-superuser-password") || out.contains(SECRET), "no secret in output: " + out);
        return out;
    }

    static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
