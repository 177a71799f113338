package io.shopdb.operator.agent;

import io.shopdb.operator.agent.BackupManifest.Format;
import io.shopdb.operator.agent.protocol.AgentArgs;
import io.shopdb.operator.agent.protocol.AgentException;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import org.postgresql.jdbcurlresolver.PgPassParser;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The command line an agent Job runs: {@code agent backup|restore|verify|list|unpack|delete|import [options]}, read by
 * {@link AgentRequest#parse}. It turns the request and the environment into calls of the agent API and prints one
 * {@link AgentSummary} JSON line; the exit code is
 * 0 on success or the {@link AgentException.Reason}'s code (2 for bad usage). See {@link #USAGE}.
 * Secrets come only from the environment (PGPASSWORD or PGPASSFILE; AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, else the AWS SDK's default chain), never from options.
 */
public final class AgentCommand {
    public static final String USAGE = """
            usage: agent backup  STORAGE SERVER [--method logical|physical] [--database NAME]... [--format custom|directory]
                                 [--jobs N] [--compression none|gzip[:1-9]|zstd[:N]|lz4[:N]] [--wal-method fetch|stream]
                                 [--backup-id ID] [--spool-dir DIR] [--timeout-minutes N]
                   agent restore STORAGE SERVER --backup-id ID [--database NAME] --target-database NAME [--overwrite]
                                 [--jobs N] [--no-owner] [--spool-dir DIR] [--timeout-minutes N]
                   agent verify  STORAGE SERVER --backup-id ID [--database NAME] [--check SQL]... [--jobs N] [--spool-dir DIR]
                   agent list    STORAGE
                   agent unpack  STORAGE --backup-id ID --data-dir DIR [--if-empty] [--pod-name NAME] [--spool-dir DIR]
                   agent delete  STORAGE --backup-id ID
                   agent archive-wal STORAGE --archive-prefix wal/CLUSTER --wal-path %p --wal-file %f [--compression none|gzip[:1-9]]
                   agent restore-wal STORAGE --archive-prefix wal/CLUSTER --wal-file %f --target-path %p
                   agent wal-archiver STORAGE --archive-prefix wal/CLUSTER --pgdata DIR --handoff-dir DIR [--compression C]
                                 [--config-dir DIR --pod-name NAME]      (runs until stopped: an instance's sidecar)
                   agent prepare-recovery STORAGE --archive-prefix wal/CLUSTER --data-dir DIR --wal-dir DIR --options-file F
                                 [--target-time T | --target-lsn L | --target-xid X | --target-name N] [--pod-name NAME]
                   agent prune-wal STORAGE --archive-prefix wal/CLUSTER --keep-from SEGMENT
                   agent list-wal  STORAGE --archive-prefix wal/CLUSTER
                   agent import  SERVER --target-database NAME --source-host H [--source-port 5432] --source-database NAME
                                 [--source-sslmode require|verify-full] [--source-sslrootcert FILE] [--source-server-name NAME]
                                 [--role NAME] [--schema NAME]... [--exclude-schema NAME]...
                                 [--declared-role NAME]... [--replace-existing] [--jobs N] [--spool-dir DIR] [--timeout-minutes N]
            STORAGE: --dir PATH | --s3-bucket B [--s3-prefix P] [--s3-endpoint URL] [--s3-region R] [--s3-path-style]
                     [--s3-sse AES256|aws:kms] [--s3-kms-key-id ID] [--s3-part-size-mb N]
            SERVER:  --host H [--port 5432] [--user postgres] [--maintenance-db postgres] [--sslmode prefer]
                     [--sslrootcert FILE] [--server-name NAME (the name the certificate carries, when H is an address)]
            environment: PGPASSWORD or PGPASSFILE; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY;
                         SHOPDB_ENCRYPTION_KEYS (a folder of 256-bit keys, one file per key id) and SHOPDB_ENCRYPTION_KEY_ID
                         (the key to encrypt with): everything stored is encrypted, everything read is decrypted;
                         import: SOURCE_PGUSER, SOURCE_PGPASSWORD, and RESTORE_PGUSER, RESTORE_PGPASSWORD (a non-superuser
                         login that may SET ROLE to --role: pg_restore runs as it, never as the superuser)""";
    /** An import's summary lists at most this many mismatches and roles (the termination message holds 4 KiB). */
    static final int MAX_LISTED = 10;
    static final int MAX_ROLES_LISTED = 40;

    private AgentCommand() {}

    public static int run(String[] args, PrintStream out) {
        return run(args, out, System.getenv());
    }

    /** As {@link #run(String[], PrintStream)}, with the environment given (tests). */
    public static int run(String[] args, PrintStream out, Map<String, String> env) {
        try {
            AgentRequest request = AgentRequest.parse(args);
            String spoolDir = request.storage().spoolDir();
            Path spool = Paths.get(spoolDir != null ? spoolDir : System.getProperty("java.io.tmpdir"));
            if (request instanceof AgentRequest.Import i) {
                AgentSummary result = importDatabase(i, spool, env);
                out.println(result.toJson());
                return Boolean.FALSE.equals(result.ok()) ? AgentException.Reason.VERIFY_FAILED.exitCode : 0;
            }
            try (BackupStorage storage = storage(request.storage(), env)) {
                BackupCatalog catalog = new BackupCatalog(storage);
                if (request instanceof AgentRequest.ListBackups) {
                    out.println(AgentSummary.MAPPER.writeValueAsString(catalog.list().stream().map(AgentCommand::summary).toList()));
                    return 0;
                }
                AgentSummary result = execute(request, catalog, spool, env);
                out.println(result.toJson());
                return Boolean.FALSE.equals(result.ok()) ? AgentException.Reason.VERIFY_FAILED.exitCode : 0;
            }
        } catch (AgentException e) {
            out.println(AgentSummary.failure(e.reason().name(), e.getMessage()).toJson());
            if (e.reason() == AgentException.Reason.INVALID && e.getMessage().startsWith("usage: ")) {
                out.println(USAGE);
            }
            return e.reason().exitCode;
        } catch (IOException | RuntimeException e) {
            out.println(AgentSummary.failure("IO", String.valueOf(e.getMessage())).toJson());
            return AgentException.Reason.IO.exitCode;
        }
    }

    private static AgentSummary execute(AgentRequest request, BackupCatalog catalog, Path spool, Map<String, String> env) {
        if (request instanceof AgentRequest.Delete d) {
            catalog.delete(BackupCatalog.checkBackupId(d.backupId())); // manifest first; deleting what is gone is success
            return AgentSummary.deleted(d.backupId());
        }
        if (request instanceof AgentRequest.Unpack u) {
            return unpack(u, catalog, spool);
        }
        AgentSummary wal = WalCommands.execute(request, catalog.storage());
        if (wal != null) {
            return wal;
        }
        return runWithServer(request, catalog, spool, endpoint(AgentArgs.server(request), env));
    }

    /**
     * unpack; ifEmpty (a cluster's init container) leaves a data directory that has files alone and unpacks
     * through a staging directory, so an interrupted unpack is never mistaken for a data directory;
     * podName skips every pod but ordinal 0 (replicas clone the primary instead).
     */
    private static AgentSummary unpack(AgentRequest.Unpack u, BackupCatalog catalog, Path spool) {
        if (u.podName() != null && !u.podName().endsWith("-0")) {
            return AgentSummary.skipped("pod " + u.podName() + " is not ordinal 0: it clones the primary");
        }
        Path dataDir = Paths.get(u.dataDir());
        if (!u.ifEmpty()) {
            return summary(new PhysicalRestore(catalog, spool).unpack(u.backupId(), dataDir));
        }
        if (PhysicalRestore.hasFiles(dataDir)) {
            return AgentSummary.skipped("data directory " + dataDir + " is not empty");
        }
        return summary(new PhysicalRestore(catalog, spool).unpackStaged(u.backupId(), dataDir));
    }

    private static AgentSummary runWithServer(AgentRequest request, BackupCatalog catalog, Path spool, PgEndpoint server) {
        PgTools tools = PgTools.locate();
        if (request instanceof AgentRequest.Backup b) {
            String id = b.backupId() != null ? b.backupId() : defaultBackupId();
            Compression compression = Compression.parse(b.compression() != null ? b.compression() : "gzip");
            Duration timeout = timeout(b.timeoutMinutes());
            if (b.method() == AgentRequest.Method.physical) {
                var wal = b.walMethod() == AgentRequest.WalMethod.fetch ? PhysicalBackup.WalMethod.FETCH : PhysicalBackup.WalMethod.STREAM;
                return summary(new PhysicalBackup(tools, catalog, spool).run(server, id, new PhysicalBackup.Options(compression, wal, timeout)));
            }
            Format format = b.format() == AgentRequest.Format.directory ? Format.DIRECTORY : Format.CUSTOM;
            var options = new LogicalBackup.Options(b.databases(), format, compression, jobs(b.jobs()), timeout);
            return summary(new LogicalBackup(tools, catalog, spool).run(server, id, options));
        }
        if (request instanceof AgentRequest.Restore r) {
            var result = new LogicalRestore(tools, catalog, spool).run(server, new LogicalRestore.Request(r.backupId(), r.database(),
                    r.targetDatabase(), r.overwrite(), jobs(r.jobs()), r.noOwner(), timeout(r.timeoutMinutes())));
            return new AgentSummary.Builder().backupId(result.backupId()).sourceDatabase(result.sourceDatabase())
                    .targetDatabase(result.targetDatabase()).durationMillis(result.durationMillis()).rowCounts(result.rowCounts())
                    .mismatches(result.mismatches()).build();
        }
        AgentRequest.Verify v = (AgentRequest.Verify) request;
        var result = new RestoreDrill(tools, catalog, spool).run(server, v.backupId(), v.database(), v.checks(), jobs(v.jobs()),
                timeout(v.timeoutMinutes()));
        return new AgentSummary.Builder().ok(result.ok()).backupId(result.backupId()).database(result.database())
                .scratchDatabase(result.scratchDatabase()).durationMillis(result.durationMillis()).mismatches(result.mismatches()).build();
    }

    /**
     * import: the source's user and password from SOURCE_PGUSER/SOURCE_PGPASSWORD (sslmode: verify-full with
     * --source-sslrootcert, else require, unless asked); pg_restore logs in as RESTORE_PGUSER/RESTORE_PGPASSWORD.
     */
    private static AgentSummary importDatabase(AgentRequest.Import i, Path spool, Map<String, String> env) {
        String user = required(env, AgentRequest.Source.SOURCE_USER_ENV, "the source's user");
        String password = env.getOrDefault(AgentRequest.Source.SOURCE_PASSWORD_ENV, "");
        var s = i.source();
        String sourceSsl = s.sslMode() != null ? s.sslMode() : s.sslRootCert() != null ? "verify-full" : "require";
        PgEndpoint source = new PgEndpoint(s.host(), port(s.port()), s.database(), user, password.toCharArray(), sourceSsl,
                trust(s.sslRootCert(), s.serverName() != null ? s.serverName() : s.host()));
        PgEndpoint target = endpoint(i.server(), env).withDatabase(i.targetDatabase());
        String restoreUser = required(env, AgentRequest.Import.RESTORE_USER_ENV, "the login pg_restore runs as");
        PgEndpoint restoreAs = new PgEndpoint(target.host(), target.port(), target.database(), restoreUser,
                env.getOrDefault(AgentRequest.Import.RESTORE_PASSWORD_ENV, "").toCharArray(), target.sslMode(), target.trust());
        var options = new DatabaseImport.Options(i.role(), i.schemas(), i.excludeSchemas(), i.declaredRoles(), i.replaceExisting(),
                jobs(i.jobs()), timeout(i.timeoutMinutes()));
        DatabaseImport.Report r = DatabaseImport.run(PgTools.locate(), source, target, restoreAs, options, spool);
        List<String> mismatches = r.mismatches().stream().map(m -> m.table() + ": " + m.problem()).toList();
        return new AgentSummary.Builder().ok(r.ok()).sourceDatabase(i.source().database()).targetDatabase(i.targetDatabase())
                .snapshot(r.snapshot()).tables(r.source().size()).mismatchCount(mismatches.size())
                .mismatches(mismatches.subList(0, Math.min(MAX_LISTED, mismatches.size())))
                .rolesNotCarriedOver(r.rolesNotDeclared().subList(0, Math.min(MAX_ROLES_LISTED, r.rolesNotDeclared().size())))
                .durationMillis(r.durationMillis()).build();
    }

    private static Duration timeout(Integer minutes) {
        return Duration.ofMinutes(minutes == null ? 24 * 60 : minutes);
    }

    private static int jobs(Integer jobs) {
        return jobs == null ? 1 : jobs;
    }

    /** The request's storage, encrypting what it stores and decrypting what it reads with the keys of the environment. */
    static BackupStorage storage(AgentRequest.Storage s, Map<String, String> env) throws IOException {
        EncryptionKeys keys = EncryptionKeys.fromEnv(env); // first: a missing key fails before the storage is touched
        return new EncryptedStorage(plainStorage(s, env), keys, "true".equals(env.get(EncryptionKeys.READ_UNENCRYPTED_ENV)));
    }

    private static BackupStorage plainStorage(AgentRequest.Storage s, Map<String, String> env) throws IOException {
        if (s.dir() != null) {
            return new DirectoryStorage(Paths.get(s.dir()));
        }
        AgentRequest.S3 s3 = s.s3();
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        return new S3Storage(new S3Storage.Settings(s3.bucket(), s3.prefix() == null ? "" : s3.prefix(),
                s3.endpoint() == null ? null : URI.create(s3.endpoint()),
                s3.region() != null ? s3.region() : env.getOrDefault("AWS_REGION", "us-east-1"),
                s3.pathStyle(), key, key == null || secret == null ? null : secret.toCharArray(),
                s3.sse(), s3.kmsKeyId(), (s3.partSizeMb() == null ? 0 : s3.partSizeMb()) * 1024 * 1024));
    }

    /** The server, with the password from PGPASSWORD or else the PGPASSFILE/.pgpass entry libpq would pick. */
    static PgEndpoint endpoint(AgentRequest.Server server, Map<String, String> env) {
        String host = server.host();
        int port = port(server.port());
        String user = server.user() != null ? server.user() : env.getOrDefault("PGUSER", "postgres");
        String db = server.maintenanceDb() != null ? server.maintenanceDb() : "postgres";
        String password = env.get("PGPASSWORD");
        if (password == null) {
            password = PgPassParser.getPassword(host, String.valueOf(port), db, user);
        }
        return new PgEndpoint(host, port, db, user, password == null ? new char[0] : password.toCharArray(),
                server.sslMode() != null ? server.sslMode() : server.sslRootCert() != null ? "verify-full" : "prefer",
                trust(server.sslRootCert(), server.serverName() != null ? server.serverName() : host));
    }

    /** The CA in {@code caFile} and the name the server's certificate must carry; null without a file. */
    static ServerTrust trust(String caFile, String serverName) {
        if (caFile == null) {
            return null;
        }
        try {
            return new ServerTrust(Files.readString(Paths.get(caFile)), serverName);
        } catch (IOException | IllegalArgumentException e) {
            throw new AgentException(AgentException.Reason.INVALID, "cannot read the server CA in " + caFile + ": " + e.getMessage());
        }
    }

    private static String required(Map<String, String> env, String name, String what) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new AgentException(AgentException.Reason.INVALID, "import: " + name + " (" + what + ") is not set");
        }
        return value;
    }

    private static int port(String port) {
        try {
            return port == null ? 5432 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new AgentException(AgentException.Reason.INVALID, "usage: a port must be a number");
        }
    }

    static String defaultBackupId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    /** A manifest without its row counts: what a log line or a status needs. */
    static AgentSummary summary(BackupManifest m) {
        var s = new AgentSummary.Builder().backupId(m.backupId()).method(m.method().wire()).format(m.format() == null ? null : m.format().wire())
                .databases(m.databases()).serverVersion(m.serverVersion())
                .startedAt(m.startedAt() == null ? null : m.startedAt().toString()).durationMillis(m.durationMillis())
                .files(m.files().size()).totalBytes(m.totalBytes()).manifestSha256(Checksums.of(m.toJson()).sha256());
        if (m.walRange() != null) {
            s.walRange(new AgentSummary.WalRange(m.walRange().timeline(), m.walRange().startLsn(), m.walRange().endLsn()));
        }
        // The file list (path, size, SHA-256) rides along while the line stays small enough for a Job's
        // termination message; the manifest in storage always has it.
        if (m.files().size() <= 30) {
            s.fileList(m.files().stream().map(f -> new AgentSummary.File(f.path(), f.database(), f.size(), f.sha256())).toList());
        }
        return s.build();
    }
}
