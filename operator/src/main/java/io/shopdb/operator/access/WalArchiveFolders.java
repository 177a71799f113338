package io.shopdb.operator.access;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;

/**
 * Where a cluster's WAL goes inside its archive target. The folder is {@code wal/<namespace>/<name>/<uid>}: a cluster
 * deleted and re-created under its name starts a new folder (in the old one its first segment would meet the former
 * cluster's file of the same name and archiving would fail for ever while pg_wal fills the disk), and clusters of one
 * name in two namespaces never prune each other's WAL. The folder is written to status.walArchive.prefix once and read
 * back from there, and each physical backup records it (status.walArchivePrefix), so a recovery finds the WAL of its
 * backup even when the source cluster is gone.
 */
public final class WalArchiveFolders {
    private WalArchiveFolders() {}

    /** The folder this cluster archives to: recorded, legacy, or new. */
    public static String of(PostgresCluster c) {
        var wal = c.getStatus() == null ? null : c.getStatus().getWalArchive();
        if (wal != null && wal.getPrefix() != null) {
            return wal.getPrefix();
        }
        if (wal != null) {
            // it archived before folders carried namespace and uid: its WAL, and its backups' WAL, are in the old folder
            return legacy(c.getMetadata().getName());
        }
        var meta = c.getMetadata();
        String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
        return "wal/" + namespace + "/" + meta.getName() + (meta.getUid() == null ? "" : "/" + meta.getUid());
    }

    /** The folder of clusters that archived before the namespace and uid were part of it (and of their backups). */
    public static String legacy(String cluster) {
        return "wal/" + cluster;
    }
}
