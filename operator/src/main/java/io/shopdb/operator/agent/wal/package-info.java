/**
 * WAL archiving and point-in-time recovery, the agent's side (docs/design-notes.md, "WAL archiving and point-in-time
 * recovery"). Plain Java like the rest of the agent: tested against real PostgreSQL and the in-process S3 server.
 *
 * <ul>
 * <li>{@link io.shopdb.operator.agent.wal.WalArchive}: a cluster's archive in a {@link io.shopdb.operator.agent.BackupStorage},
 *     one object per WAL file named {@code <file>.<sha256>.gz}; idempotent archiving, checked restores, pruning.</li>
 * <li>{@link io.shopdb.operator.agent.wal.WalArchiver}: the instance pod's sidecar loop; archive_command (archive-wal.sh)
 *     waits for its answer in a handoff folder on the data volume.</li>
 * <li>{@link io.shopdb.operator.agent.wal.RecoveryPreparation}: the init container of a point-in-time recovery: fetch
 *     and verify WAL, write recovery.signal and the recovery settings.</li>
 * </ul>
 * WAL file names are parsed by {@code agent.protocol.WalNames}, shared with the operator (retention boundary, targets).
 */
package io.shopdb.operator.agent.wal;
