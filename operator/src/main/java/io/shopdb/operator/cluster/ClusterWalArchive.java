package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.WalArchiveFolders;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.WalArchiveStatus;
import io.shopdb.operator.sql.ArchiverQueries;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The WAL-archive side of a PostgresCluster's reconcile (spec.walArchive, spec.bootstrap.fromBackup.recovery): what
 * goes into status.walArchive, restore points, and the recovery plan of a cluster bootstrapped to a point in time.
 */
final class ClusterWalArchive {
    private ClusterWalArchive() {}

    /** status.walArchive: the retention boundary and the recoverable window, from the cluster's Ready physical backups. */
    static void recordWindow(PostgresCluster cluster, PostgresClusterStatus status, List<PostgresBackup> backups) {
        if (cluster.getSpec().getWalArchive() == null) {
            status.setWalArchive(null);
            return;
        }
        var wal = status.getWalArchive() != null ? status.getWalArchive() : new WalArchiveStatus();
        wal.setPrefix(WalArchiveFolders.of(cluster));
        wal.setKeepFrom(WalArchiveWindow.keepFrom(backups));
        wal.setRecoverableFrom(WalArchiveWindow.recoverableFrom(backups));
        status.setWalArchive(wal);
    }

    /** Annotation whose every new value is created as a named restore point on the primary (spec.walArchive only). */
    public static final String RESTORE_POINT_ANNOTATION = "shopdb.io/restore-point";

    /**
     * What the primary's archiver says (pg_stat_archiver); the newest archived file is the latest recoverable point.
     * A new value of the annotation shopdb.io/restore-point becomes a restore point (e.g. written by a pipeline before a
     * migration); status.walArchive.lastRestorePoint remembers it, so each value is created once.
     */
    static WalArchiveStatus.RestorePoint recordArchiver(Connection c, PostgresCluster cluster, PostgresClusterStatus status)
            throws SQLException {
        if (cluster.getSpec().getWalArchive() == null || status.getWalArchive() == null) {
            return null;
        }
        WalArchiveStatus.RestorePoint created = null;
        var annotations = cluster.getMetadata().getAnnotations();
        String point = annotations == null ? null : annotations.get(RESTORE_POINT_ANNOTATION);
        var last = status.getWalArchive().getLastRestorePoint();
        if (point != null && !point.isBlank() && point.length() <= 63 && point.indexOf('\n') < 0 && (last == null || !point.equals(last.getName()))) {
            String lsn = ArchiverQueries.createRestorePoint(c, point);
            created = new WalArchiveStatus.RestorePoint(point, lsn,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            status.getWalArchive().setLastRestorePoint(created);
        }
        var a = ArchiverQueries.read(c);
        var wal = status.getWalArchive();
        wal.setArchivedCount(a.archivedCount());
        wal.setLastArchivedWal(a.lastArchivedWal());
        wal.setLastArchivedTime(a.lastArchivedTime() == null ? null : a.lastArchivedTime().toString());
        wal.setFailedCount(a.failedCount());
        wal.setLastFailedWal(a.lastFailedWal());
        wal.setLastFailedTime(a.lastFailedTime() == null ? null : a.lastFailedTime().toString());
        wal.setPendingFiles(a.pendingFiles());
        wal.setRecoverableUntil(wal.getRecoverableFrom() == null ? null : wal.getLastArchivedTime());
        return created;
    }

    /**
     * spec.bootstrap.fromBackup.recovery: the source's WAL archive (given, or the source cluster's spec.walArchive) and
     * the target, checked against the backup and the archive before the cluster is first created; null with no recovery.
     */
    record RecoveryPlan(Outcome stop, InstanceSetBuilder.Recovery recovery) {}

    static RecoveryPlan recovery(PostgresCluster cluster, PostgresClusterStatus status, PostgresBackup backup, PostgresCluster source) {
        var r = cluster.getSpec().getBootstrap().getFromBackup().getRecovery();
        if (r == null) {
            return new RecoveryPlan(null, null);
        }
        BackupTarget archive;
        String sourceName;
        String prefix;
        if (r.getArchive() != null) {
            archive = r.getArchive().getTarget();
            sourceName = r.getArchive().getCluster();
            prefix = WalArchiveFolders.legacy(sourceName);
        } else if (source != null && source.getSpec().getWalArchive() != null) {
            archive = source.getSpec().getWalArchive().getTarget();
            sourceName = source.getMetadata().getName();
            prefix = WalArchiveFolders.of(source);
        } else {
            return new RecoveryPlan(Outcome.stalled(Reasons.INVALID_SPEC, "spec.bootstrap.fromBackup.recovery needs the source's WAL archive:"
                    + " the backup's source cluster " + (source == null ? "is gone" : source.getMetadata().getName() + " has no spec.walArchive")
                    + "; give spec.bootstrap.fromBackup.recovery.archive {target, cluster}"), null);
        }
        if (status.getServerVersion() == null) { // not bootstrapped yet: once it runs, the recovery is history
            var sourceArchive = source != null && source.getStatus() != null && sourceName.equals(source.getMetadata().getName())
                    ? source.getStatus().getWalArchive() : null;
            var verdict = WalArchiveWindow.check(r, backup, sourceArchive, java.time.Instant.now());
            if (verdict.refused()) {
                return new RecoveryPlan(Outcome.stalled(Reasons.INVALID_SPEC, verdict.message()), null);
            }
            if (!verdict.go()) {
                return new RecoveryPlan(Outcome.reconciling(Reasons.WAITING_FOR_WAL, verdict.message()), null);
            }
        }
        // the folder the backup's WAL went to, as the backup recorded it; older backups did not record one
        if (backup.getStatus() != null && backup.getStatus().getWalArchivePrefix() != null) {
            prefix = backup.getStatus().getWalArchivePrefix();
        }
        return new RecoveryPlan(null, new InstanceSetBuilder.Recovery(archive, prefix,
                r.getTargetTime() == null ? null : WalArchiveWindow.postgresTime(r.getTargetTime()), r.getTargetLSN(), r.getTargetXID(),
                r.getTargetName()));
    }


    /**
     * A cluster bootstrapped to a point in time answers read-only queries (hot standby) while it still replays: it is not
     * Ready, and nothing is written to it, until it has promoted at its target.
     */
    /** Opens an admin connection to the primary. */
    interface Opener {
        Connection open() throws SQLException, ClusterConnections.NotReachableException;
    }

    static Outcome recovering(PostgresCluster cluster, PostgresClusterStatus status, Opener opener)
            throws SQLException, ClusterConnections.NotReachableException {
        var bootstrap = cluster.getSpec().getBootstrap();
        // once Ready it has promoted: a primary never goes back into recovery, so no query after that
        if (bootstrap == null || bootstrap.getFromBackup() == null || bootstrap.getFromBackup().getRecovery() == null
                || Conditions.isReady(status)) {
            return null;
        }
        try (Connection c = opener.open(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
            var r = bootstrap.getFromBackup().getRecovery();
            String target = r.getTargetTime() != null ? "time " + r.getTargetTime() : r.getTargetLSN() != null ? "LSN " + r.getTargetLSN()
                    : r.getTargetXID() != null ? "XID " + r.getTargetXID() : r.getTargetName() != null ? "restore point " + r.getTargetName()
                    : "the end of the archive";
            return Outcome.reconciling(Reasons.RECOVERING, "Point-in-time recovery: replayed up to " + rs.getString(2) + ", target "
                    + target + "; the primary promotes when it gets there");
        }
    }
}
