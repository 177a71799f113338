package io.shopdb.operator.cluster;

import io.shopdb.operator.access.WalArchiveFolders;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

/**
 * The source's WAL archive a standby replays (spec.standby.archive): the target, and the folder in it, which is the
 * source's own (status.walArchive.prefix, with its uid). The folder is recorded in the standby's status.standby.archivePrefix
 * from the source while the source exists, so the standby keeps replaying the right folder when the source is gone.
 */
record StandbyArchive(BackupTarget target, String prefix) {

    /** The archive the pods replay: from the cluster's recorded status; null without spec.standby.archive or before it is recorded. */
    static StandbyArchive of(PostgresCluster c) {
        var standby = c.getSpec().getStandby();
        if (standby == null || standby.getArchive() == null || c.getStatus() == null || c.getStatus().getStandby() == null
                || c.getStatus().getStandby().getArchivePrefix() == null) {
            return null;
        }
        return new StandbyArchive(standby.getArchive(), c.getStatus().getStandby().getArchivePrefix());
    }

    /** The folder to record: the standby's own record, else the source's, once the source archives (null: not yet). */
    static String prefix(PostgresCluster standby, PostgresCluster source) {
        var recorded = standby.getStatus() == null || standby.getStatus().getStandby() == null ? null
                : standby.getStatus().getStandby().getArchivePrefix();
        if (recorded != null) {
            return recorded;
        }
        if (source == null || source.getSpec().getWalArchive() == null || source.getStatus() == null
                || source.getStatus().getWalArchive() == null || source.getStatus().getWalArchive().getPrefix() == null) {
            return null;
        }
        return WalArchiveFolders.of(source);
    }
}
