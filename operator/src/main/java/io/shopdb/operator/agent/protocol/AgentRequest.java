package io.shopdb.operator.agent.protocol;

import java.util.List;

/**
 * What the operator asks the agent to do: one record per agent command. {@link #toArgs()} is the only place
 * that turns a request into a command line, {@link #parse(String...)} the only place that reads one back;
 * {@code parse(r.toArgs()).equals(r)} holds for every request (AgentRequestTest). Fields left null are not
 * written and get the agent's default. Values may be Kubernetes {@code $(VAR)} references (the Job keeps hosts,
 * ports and paths in env so the argument list holds no secret); the kubelet expands them before the agent parses.
 * Secrets are never part of a request: they come from the environment.
 */
public sealed interface AgentRequest permits AgentRequest.Backup, AgentRequest.Restore, AgentRequest.Verify,
        AgentRequest.ListBackups, AgentRequest.Unpack, AgentRequest.Delete, AgentRequest.ArchiveWal, AgentRequest.RestoreWal,
        AgentRequest.Import, AgentRequest.WalArchiver, AgentRequest.WalFetcher, AgentRequest.PrepareRecovery, AgentRequest.PruneWal, AgentRequest.ListWal {

    /** The command word: backup, restore, verify, list, unpack, delete, archive-wal, restore-wal, wal-archiver, prepare-recovery, prune-wal, list-wal, import. */
    String command();

    Storage storage();

    /** Writes this request's own options (not the command word, not storage or server). */
    void writeOptions(AgentArgs.Writer out);

    /** The agent's argument list, starting with the command word. */
    default List<String> toArgs() {
        return AgentArgs.write(this);
    }

    /** Reads a command line ({@code [agent] COMMAND --name value|--name=value|--flag ...}); bad input is {@link AgentException.Reason#INVALID}. */
    static AgentRequest parse(String... args) {
        return AgentArgs.parse(args);
    }

    /** Where backups live: a directory (a PVC) or an S3 bucket; spoolDir is the local scratch space. */
    record Storage(String dir, S3 s3, String spoolDir) {
        public static Storage directory(String dir) {
            return new Storage(dir, null, null);
        }

        public Storage withSpoolDir(String spool) {
            return new Storage(dir, s3, spool);
        }
    }

    /** S3-compatible storage; credentials are not here (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the SDK chain). */
    record S3(String bucket, String prefix, String endpoint, String region, boolean pathStyle, String sse, String kmsKeyId,
              Integer partSizeMb) {
        public static S3 bucket(String bucket) {
            return new S3(bucket, null, null, null, false, null, null, null);
        }
    }

    /**
     * The PostgreSQL server; the password is never here (PGPASSWORD or PGPASSFILE). port may be a $(VAR).
     * {@code sslRootCert}: a file with the CA the server's certificate must chain to (a $(VAR) path the Job mounts);
     * {@code serverName}: the name that certificate must carry when {@code host} is another spelling of the same
     * server (the sandbox maps a Service to 127.0.0.1); null: {@code host} itself.
     */
    record Server(String host, String port, String user, String maintenanceDb, String sslMode, String sslRootCert, String serverName) {
        public Server(String host, String port, String user, String maintenanceDb, String sslMode) {
            this(host, port, user, maintenanceDb, sslMode, null, null);
        }

        public static Server host(String host) {
            return new Server(host, null, null, null, null);
        }
    }

    enum Method { logical, physical }

    enum Format { custom, directory }

    enum WalMethod { fetch, stream }

    record Backup(Storage storage, Server server, Method method, List<String> databases, Format format, String compression,
                  WalMethod walMethod, String backupId, Integer jobs, Integer timeoutMinutes) implements AgentRequest {
        public Backup {
            databases = databases == null ? List.of() : List.copyOf(databases);
        }

        @Override public String command() { return "backup"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("backup-id", backupId).option("method", method).repeat("database", databases).option("format", format)
                    .option("compression", compression).option("wal-method", walMethod)
                    .option("jobs", jobs).option("timeout-minutes", timeoutMinutes);
        }
    }

    /** {@code database}: which database of the backup, null when it has exactly one. */
    record Restore(Storage storage, Server server, String backupId, String database, String targetDatabase, boolean overwrite,
                   boolean noOwner, Integer jobs, Integer timeoutMinutes) implements AgentRequest {
        @Override public String command() { return "restore"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("backup-id", backupId).option("target-database", targetDatabase).option("database", database)
                    .flag("overwrite", overwrite).flag("no-owner", noOwner).option("jobs", jobs).option("timeout-minutes", timeoutMinutes);
        }
    }

    /** The restore drill: restore into a scratch database, compare row counts, run the checks (SQL returning one true). */
    record Verify(Storage storage, Server server, String backupId, String database, List<String> checks, Integer jobs,
                  Integer timeoutMinutes) implements AgentRequest {
        public Verify {
            checks = checks == null ? List.of() : List.copyOf(checks);
        }

        @Override public String command() { return "verify"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("backup-id", backupId).option("database", database).repeat("check", checks)
                    .option("jobs", jobs).option("timeout-minutes", timeoutMinutes);
        }
    }

    record ListBackups(Storage storage) implements AgentRequest {
        @Override public String command() { return "list"; }

        @Override public void writeOptions(AgentArgs.Writer out) { }
    }

    /**
     * Unpacks a physical backup into a data directory. {@code ifEmpty}: a directory with files is left alone and the
     * unpack goes through a staging directory (a cluster's init container); {@code podName}: only ordinal 0 unpacks.
     */
    record Unpack(Storage storage, String backupId, String dataDir, boolean ifEmpty, String podName) implements AgentRequest {
        @Override public String command() { return "unpack"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("backup-id", backupId).option("data-dir", dataDir).flag("if-empty", ifEmpty).option("pod-name", podName);
        }
    }

    record Delete(Storage storage, String backupId) implements AgentRequest {
        @Override public String command() { return "delete"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("backup-id", backupId);
        }
    }

    /**
     * archive_command done by the agent itself, one JVM per file ({@code %p} is walPath, {@code %f} walFile): for
     * use by hand and for measurements; a cluster's instances hand files to {@link WalArchiver} instead.
     * {@code archivePrefix} is the cluster's folder in the storage ({@code wal/<cluster>}); compression none|gzip[:N].
     */
    record ArchiveWal(Storage storage, String archivePrefix, String walPath, String walFile, String compression) implements AgentRequest {
        @Override public String command() { return "archive-wal"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("wal-path", walPath).option("wal-file", walFile).option("compression", compression);
        }
    }

    /** restore_command ({@code %f} walFile, {@code %p} targetPath): the archived file, checked against its SHA-256. */
    record RestoreWal(Storage storage, String archivePrefix, String walFile, String targetPath) implements AgentRequest {
        @Override public String command() { return "restore-wal"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("wal-file", walFile).option("target-path", targetPath);
        }
    }

    /**
     * The long-running archiver of an instance pod (a sidecar): ships every WAL file PostgreSQL marks ready in
     * {@code <pgdata>/pg_wal/archive_status}, and answers the instance's archive_command through files in
     * {@code handoffDir}. With {@code configDir} and {@code podName}, the instance that is the declared primary also
     * deletes archived WAL older than the segment in {@code <configDir>/wal-keep-from} (retention).
     */
    record WalArchiver(Storage storage, String archivePrefix, String pgdata, String handoffDir, String compression, String configDir,
                       String podName) implements AgentRequest {
        @Override public String command() { return "wal-archiver"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("pgdata", pgdata).option("handoff-dir", handoffDir)
                    .option("compression", compression).option("config-dir", configDir).option("pod-name", podName);
        }
    }

    /**
     * The long-running WAL fetcher of a standby cluster's primary (a sidecar): answers the instance's restore_command
     * (restore-wal.sh) through files in {@code handoffDir} with files of the source's archive, checked against their SHA-256.
     */
    record WalFetcher(Storage storage, String archivePrefix, String handoffDir) implements AgentRequest {
        @Override public String command() { return "wal-fetcher"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("handoff-dir", handoffDir);
        }
    }

    /**
     * Readies an unpacked physical backup for point-in-time recovery (an init container, after {@link Unpack}): fetches
     * the archived WAL from the backup's start segment on, checking every file's SHA-256 before the server sees it, into
     * {@code walDir}, then writes {@code recovery.signal} and the recovery settings (restore_command, recovery_target_*,
     * recovery_target_action=promote) into {@code optionsFile}. At most one target; none means the end of the archive.
     * Does nothing on a data directory that already finished recovery, or on a pod other than ordinal 0.
     */
    record PrepareRecovery(Storage storage, String archivePrefix, String dataDir, String walDir, String optionsFile, String targetTime,
                           String targetLsn, String targetXid, String targetName, String podName) implements AgentRequest {
        @Override public String command() { return "prepare-recovery"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("data-dir", dataDir).option("wal-dir", walDir)
                    .option("options-file", optionsFile).option("target-time", targetTime).option("target-lsn", targetLsn)
                    .option("target-xid", targetXid).option("target-name", targetName).option("pod-name", podName);
        }
    }

    /** Deletes archived WAL older than the segment {@code keepFrom} (a 24-hex segment name) on every timeline. */
    record PruneWal(Storage storage, String archivePrefix, String keepFrom) implements AgentRequest {
        @Override public String command() { return "prune-wal"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix).option("keep-from", keepFrom);
        }
    }

    /** Lists a WAL archive: files, first and last segment, and whether the segments between them are contiguous. */
    record ListWal(Storage storage, String archivePrefix) implements AgentRequest {
        @Override public String command() { return "list-wal"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("archive-prefix", archivePrefix);
        }
    }

    /**
     * The existing server an import reads from. Its user and password are not here either: the agent reads them from
     * {@value #SOURCE_USER_ENV} and {@value #SOURCE_PASSWORD_ENV} (secretKeyRefs of the Job). host and port may be $(VAR).
     */
    record Source(String host, String port, String database, String sslMode, String sslRootCert, String serverName) {
        public static final String SOURCE_USER_ENV = "SOURCE_PGUSER";
        public static final String SOURCE_PASSWORD_ENV = "SOURCE_PGPASSWORD";

        public Source(String host, String port, String database, String sslMode) {
            this(host, port, database, sslMode, null, null);
        }
    }

    /**
     * Fills {@code targetDatabase} on {@code server} from {@code source}: pg_dump from an exported snapshot, pg_restore as
     * {@code role} (it owns what is created; no owners or grants are copied), then per-table row counts and checksums of
     * both sides compared. {@code schemas}/{@code excludeSchemas}: exact schema names to take or leave (empty: all).
     * {@code declaredRoles}: role names PostgresRoles declare; the source's other roles are reported as not carried over.
     * {@code replaceExisting}: a target that already holds tables is not refused; objects of the dump that exist are
     * dropped first. Uses no backup storage: {@code storage} holds only the spool directory.
     */
    record Import(Storage storage, Server server, Source source, String targetDatabase, String role, List<String> schemas,
                  List<String> excludeSchemas, List<String> declaredRoles, boolean replaceExisting, Integer jobs,
                  Integer timeoutMinutes) implements AgentRequest {
        /**
         * The login pg_restore runs as (then {@code SET ROLE role}): a throwaway non-superuser member of the owner the
         * operator made for this Job, never the server's superuser, so the dump's {@code RESET ROLE} gains nothing.
         */
        public static final String RESTORE_USER_ENV = "RESTORE_PGUSER";
        public static final String RESTORE_PASSWORD_ENV = "RESTORE_PGPASSWORD";

        public Import {
            schemas = schemas == null ? List.of() : List.copyOf(schemas);
            excludeSchemas = excludeSchemas == null ? List.of() : List.copyOf(excludeSchemas);
            declaredRoles = declaredRoles == null ? List.of() : List.copyOf(declaredRoles);
        }

        @Override public String command() { return "import"; }

        @Override
        public void writeOptions(AgentArgs.Writer out) {
            out.option("source-host", source.host()).option("source-port", source.port()).option("source-database", source.database())
                    .option("source-sslmode", source.sslMode()).option("source-sslrootcert", source.sslRootCert())
                    .option("source-server-name", source.serverName()).option("target-database", targetDatabase).option("role", role)
                    .repeat("schema", schemas).repeat("exclude-schema", excludeSchemas).repeat("declared-role", declaredRoles)
                    .flag("replace-existing", replaceExisting).option("jobs", jobs).option("timeout-minutes", timeoutMinutes);
        }
    }
}
