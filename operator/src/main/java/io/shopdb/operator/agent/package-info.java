/**
 * The backup/restore agent that backup Jobs run ({@code java -jar quarkus-run.jar agent ...}, parsed by
 * {@link io.shopdb.operator.agent.AgentCommand}). Plain Java: no Quarkus, CDI, fabric8 or Kubernetes import,
 * so it is tested directly against real PostgreSQL and works for disaster recovery without a cluster.
 *
 * <ul>
 * <li>Storage: {@link io.shopdb.operator.agent.BackupStorage} with a directory (PVC) and an S3-compatible
 *     implementation. Layout: {@code <root>/<backupId>/<files>} plus {@code <backupId>/manifest.json},
 *     written last and deleted first, so only complete backups are ever listed.</li>
 * <li>Streaming: pg_dump / pg_basebackup write to a local spool directory (the Job's scratch volume; one
 *     database at a time), then each file is streamed to storage while its SHA-256 is computed from the same
 *     bytes. S3 uploads read one part at a time (16 MiB by default, multipart above that): memory is
 *     bounded by the part size, not the dump size. Chosen over piping pg_dump into a multipart upload because
 *     the directory format and pg_basebackup produce several files anyway, and a failed upload can be retried
 *     from disk without re-dumping.</li>
 * <li>Consistency: row counts per table are taken in the REPEATABLE READ snapshot that is exported to
 *     {@code pg_dump --snapshot}; counts and dump describe the same instant.</li>
 * <li>Integrity: every file's size and SHA-256 are in the manifest and checked on download before any
 *     restore step touches the server.</li>
 * <li>Credentials: PGPASSWORD (or PGPASSFILE) reach pg tools only through the child environment, never argv;
 *     S3 keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the SDK's default chain. No secret is put
 *     in an option, a manifest, a log line or an exception message.</li>
 * <li>Encryption at rest: S3 server-side encryption ({@code --s3-sse AES256|aws:kms}, optional KMS key id)
 *     requested on each upload and recorded in the manifest; for a PVC it is the volume's encryption.
 *     Client-side encryption is not implemented.</li>
 * </ul>
 */
package io.shopdb.operator.agent;
