package io.shopdb.operator.agent.protocol;

import io.shopdb.operator.agent.protocol.AgentRequest.Storage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one grammar both ways: every request reads back equal from its own argument list. */
class AgentRequestTest {
    static final AgentRequest.S3 S3 = new AgentRequest.S3("shop-backups", "prod/eu", "http://minio:9000", "eu-west-1", true,
            "aws:kms", "key-1", 32);
    static final Storage DIR = new Storage("$(BACKUP_DIR)", null, "$(SPOOL_DIR)");
    static final Storage BUCKET = new Storage(null, S3, null);
    static final AgentRequest.Server SERVER = new AgentRequest.Server("$(DB_HOST)", "$(DB_PORT)", "backup", "postgres", "verify-full");

    static List<AgentRequest> samples() {
        return List.of(
                new AgentRequest.Backup(DIR, SERVER, AgentRequest.Method.logical, List.of("shop", "audit"), AgentRequest.Format.directory,
                        "zstd:3", null, "nightly-1234", 4, 360),
                new AgentRequest.Backup(BUCKET, AgentRequest.Server.host("db"), AgentRequest.Method.physical, List.of(), null, null,
                        AgentRequest.WalMethod.fetch, null, null, null),
                new AgentRequest.Restore(BUCKET, SERVER, "b1", "shop", "shop_copy", true, true, 2, 60),
                new AgentRequest.Restore(DIR, AgentRequest.Server.host("h"), "b1", null, "t", false, false, null, null),
                new AgentRequest.Verify(DIR, SERVER, "b1", null, List.of("SELECT true", "SELECT count(*) > 0 FROM \"sales\".orders"), null, 120),
                new AgentRequest.ListBackups(BUCKET),
                new AgentRequest.Unpack(DIR, "phys-1", "$(PGDATA)", true, "$(POD_NAME)"),
                new AgentRequest.Unpack(Storage.directory("/b"), "phys-1", "/data", false, null),
                new AgentRequest.Delete(BUCKET, "b1"),
                new AgentRequest.ArchiveWal(BUCKET, "wal/shop", "pg_wal/000000010000000000000003", "000000010000000000000003", "gzip:1"),
                new AgentRequest.RestoreWal(DIR, "wal/shop", "000000010000000000000003", "pg_wal/RECOVERYXLOG"),
                new AgentRequest.WalArchiver(BUCKET, "wal/shop", "$(PGDATA)", "/var/lib/postgresql/data/wal-handoff", null, "/etc/shopdb", "$(POD_NAME)"),
                new AgentRequest.PrepareRecovery(DIR, "wal/shop", "$(PGDATA)", "/data/wal-restore", "/data/recovery.conf",
                        "2026-12-01 09:00:00+00", null, null, null, "$(POD_NAME)"),
                new AgentRequest.PrepareRecovery(DIR, "wal/shop", "/d", "/w", "/o", null, null, null, null, null),
                new AgentRequest.PruneWal(BUCKET, "wal/shop", "000000010000000000000007"),
                new AgentRequest.ListWal(DIR, "wal/shop"),
                new AgentRequest.Import(new Storage(null, null, "$(SPOOL_DIR)"), SERVER, new AgentRequest.Source("$(SOURCE_HOST)", "$(SOURCE_PORT)",
                        "legacy", "require"), "shop", "shop_owner", List.of("sales", "Audit Log"), List.of("tmp"), List.of("shop_app"), true, 4, 120),
                new AgentRequest.Import(new Storage(null, null, null), AgentRequest.Server.host("h"), new AgentRequest.Source("src", null, "legacy", null),
                        "shop", null, null, null, null, false, null, null),
                new AgentRequest.Backup(DIR, VERIFIED, AgentRequest.Method.physical, List.of(), null, null, null, "p1", null, 60),
                new AgentRequest.Import(new Storage(null, null, "$(SPOOL_DIR)"), VERIFIED, new AgentRequest.Source("$(SOURCE_HOST)", "$(SOURCE_PORT)",
                        "legacy", "verify-full", "$(SOURCE_CA_FILE)", "legacy.example.com"), "shop", "shop_owner", null, null, null, false, 2, 60));
    }

    /** A server verified against a mounted CA, under the name its certificate carries (what every agent Job now passes). */
    static final AgentRequest.Server VERIFIED = new AgentRequest.Server("$(DB_HOST)", "$(DB_PORT)", null, "postgres", "verify-full",
            "$(DB_CA_FILE)", "shop-rw.prod.svc");

    @Test
    void theTlsOptionsAreAcceptedWhereAServerIsAndNowhereElse() {
        var backup = (AgentRequest.Backup) AgentRequest.parse("backup", "--dir", "d", "--host", "h", "--sslmode", "verify-full",
                "--sslrootcert", "/etc/shopdb/server-ca/ca.crt", "--server-name", "shop-rw.prod.svc");
        assertEquals("/etc/shopdb/server-ca/ca.crt", backup.server().sslRootCert());
        assertEquals("shop-rw.prod.svc", backup.server().serverName());
        var imp = (AgentRequest.Import) AgentRequest.parse("import", "--host", "h", "--target-database", "t", "--source-host", "s",
                "--source-database", "d", "--source-sslmode", "verify-ca", "--source-sslrootcert", "/ca.crt", "--source-server-name", "s.example");
        assertEquals(new AgentRequest.Source("s", null, "d", "verify-ca", "/ca.crt", "s.example"), imp.source());
        AgentException e = assertThrows(AgentException.class, () -> AgentRequest.parse("delete", "--dir", "d", "--backup-id", "b",
                "--sslrootcert", "/ca.crt"));
        assertEquals("usage: unknown option --sslrootcert for delete", e.getMessage());
        e = assertThrows(AgentException.class, () -> AgentRequest.parse("backup", "--dir", "d", "--host", "h", "--source-sslrootcert", "/ca.crt"));
        assertEquals("usage: unknown option --source-sslrootcert for backup", e.getMessage());
    }

    @Test
    void everyRequestRoundTripsThroughItsArguments() {
        for (AgentRequest r : samples()) {
            List<String> args = r.toArgs();
            assertEquals(r.command(), args.get(0));
            assertEquals(r, AgentRequest.parse(args.toArray(String[]::new)), String.join(" ", args));
            // the Job's form: "agent" first, and --name=value spelled the other way
            List<String> joined = new java.util.ArrayList<>(List.of("agent", args.get(0)));
            for (int i = 1; i < args.size(); i++) {
                boolean flag = i + 1 >= args.size() || args.get(i + 1).startsWith("--");
                joined.add(flag ? args.get(i) : args.get(i) + "=" + args.get(++i));
            }
            assertEquals(r, AgentRequest.parse(joined.toArray(String[]::new)), String.join(" ", joined));
        }
    }

    @Test
    void argumentsAreWrittenInAStableOrderWithStorageLast() {
        var backup = (AgentRequest.Backup) samples().get(0);
        assertEquals(List.of("backup", "--backup-id", "nightly-1234", "--method", "logical", "--database", "shop", "--database", "audit",
                "--format", "directory", "--compression", "zstd:3", "--jobs", "4", "--timeout-minutes", "360",
                "--host", "$(DB_HOST)", "--port", "$(DB_PORT)", "--user", "backup", "--maintenance-db", "postgres", "--sslmode", "verify-full",
                "--spool-dir", "$(SPOOL_DIR)", "--dir", "$(BACKUP_DIR)"), backup.toArgs());
        assertEquals(List.of("delete", "--backup-id", "b1", "--s3-bucket", "shop-backups", "--s3-prefix", "prod/eu",
                "--s3-endpoint", "http://minio:9000", "--s3-region", "eu-west-1", "--s3-path-style", "--s3-sse", "aws:kms",
                "--s3-kms-key-id", "key-1", "--s3-part-size-mb", "32"), new AgentRequest.Delete(BUCKET, "b1").toArgs());
    }

    @Test
    void aRecoveryHasAtMostOneTarget() {
        AgentException e = assertThrows(AgentException.class, () -> AgentRequest.parse("prepare-recovery", "--dir", "d", "--archive-prefix", "wal/a",
                "--data-dir", "x", "--wal-dir", "w", "--options-file", "o", "--target-lsn", "0/3000000", "--target-name", "before-migration"));
        assertEquals("usage: give at most one of --target-time, --target-lsn, --target-xid, --target-name", e.getMessage());
    }

    @Test
    void aRequestWithoutStorageCannotBeReadBack() {
        var noStorage = new AgentRequest.Delete(new Storage(null, null, null), "b1");
        AgentException e = assertThrows(AgentException.class, () -> AgentRequest.parse(noStorage.toArgs().toArray(String[]::new)));
        assertEquals("usage: give exactly one storage: --dir or --s3-bucket", e.getMessage());
    }

    @Test
    void anImportTakesNoBackupStorageButItsSpool() {
        var i = (AgentRequest.Import) samples().stream().filter(r -> r instanceof AgentRequest.Import).findFirst().orElseThrow();
        assertEquals(List.of("import", "--source-host", "$(SOURCE_HOST)", "--source-port", "$(SOURCE_PORT)", "--source-database", "legacy",
                "--source-sslmode", "require", "--target-database", "shop", "--role", "shop_owner", "--schema", "sales", "--schema", "Audit Log",
                "--exclude-schema", "tmp", "--declared-role", "shop_app", "--replace-existing", "--jobs", "4", "--timeout-minutes", "120",
                "--host", "$(DB_HOST)", "--port", "$(DB_PORT)", "--user", "backup", "--maintenance-db", "postgres", "--sslmode", "verify-full",
                "--spool-dir", "$(SPOOL_DIR)"), i.toArgs());
        AgentException e = assertThrows(AgentException.class, () -> AgentRequest.parse("import", "--dir", "/b", "--host", "h",
                "--source-host", "s", "--source-database", "d", "--target-database", "t"));
        assertEquals("usage: unknown option --dir for import", e.getMessage());
    }
}
