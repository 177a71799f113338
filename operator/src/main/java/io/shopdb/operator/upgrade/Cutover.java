package io.shopdb.operator.upgrade;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgradeStatus;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.sql.LogicalCopy;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.TableChecksums;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cutover, in one reconcile so its pause is short: writes stop on the source (read-only, sessions ended), the
 * target confirms the source's last WAL position (no acknowledged commit is left behind), the sequences follow, a
 * snapshot of the target is taken, and the source's Services select the target. Until the Services move nothing is
 * lost by giving up: a target that does not catch up within {@link #CATCH_UP} makes the source writable again.
 * After the move, the comparison of every table (source frozen, target in its pre-move snapshot) and the removal
 * of the subscriptions do not hold writes up.
 */
final class Cutover {
    /** The cutover starts only this close: what is left to apply must fit in the pause. */
    static final long MAX_LAG_BYTES = 16L * 1024 * 1024;
    static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final EventRecorder events;

    Cutover(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    Outcome run(PostgresMajorUpgrade upgrade, PostgresMajorUpgradeStatus status, PostgresCluster source, PgEndpoint sourceAdmin,
                PgEndpoint targetAdmin, List<LogicalCopy.SourceDatabase> databases) throws SQLException {
        String target = upgrade.getSpec().getTarget().getName();
        List<String> slots = databases.stream().map(LogicalCopy.SourceDatabase::subscription).toList();
        Map<String, Connection> snapshots = new LinkedHashMap<>();
        try (Connection src = PgConnections.open(sourceAdmin, 5, 120)) {
            Instant paused = Instant.now();
            boolean moving = false;
            boolean moved = false;
            try {
                LogicalCopy.setReadOnly(src, true);
                int lingering = LogicalCopy.terminateClients(src, LogicalCopy.serverNow(src));
                if (lingering > 0) {
                    return giveUp(upgrade, status, src, targetAdmin, databases, lingering + " sessions of " + source.getMetadata().getName()
                            + " did not end within 5 s of being terminated");
                }
                String lsn = LogicalCopy.currentLsn(src);
                if (!caughtUp(src, slots, lsn)) {
                    return giveUp(upgrade, status, src, targetAdmin, databases, target + " did not confirm " + lsn + " within "
                            + CATCH_UP.toSeconds() + " s of the source turning read-only");
                }
                int sequences = 0;
                for (LogicalCopy.SourceDatabase db : databases) {
                    try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60);
                         Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                        var values = LogicalCopy.sequences(srcDb);
                        LogicalCopy.setSequences(tgtDb, values);
                        sequences += values.size();
                    }
                }
                for (LogicalCopy.SourceDatabase db : databases) {
                    try (Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                        LogicalCopy.setEnabled(tgtDb, db.subscription(), false); // nothing more comes; it must not follow -rw to the target itself
                    }
                    Connection snapshot = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 3600);
                    snapshots.put(db.name(), snapshot);
                    TableChecksums.exportSnapshot(snapshot); // the target as of the cutover, compared below while it takes writes
                }
                status.setSequencesCopied(sequences);
                moving = true;
                moveServices(source, target);
                moved = true;
            } catch (SQLException | RuntimeException e) {
                if (moving) {
                    moveServices(source, null); // one of the two may have moved: both back to the source
                }
                resume(sourceAdmin, targetAdmin, databases); // the source takes writes again, on a fresh connection
                throw e;
            }
            Instant at = Instant.now();
            status.setCutoverStartedAt(paused.toString());
            status.setCutoverAt(at.toString());
            status.setWritePause(String.format(java.util.Locale.ROOT, "%.2fs", Duration.between(paused, at).toMillis() / 1000.0));
            try {
                recordNow(upgrade, status); // the source's reconciler keeps its Services on the target from this record on
            } catch (RuntimeException e) {
                // the status write at the end of this reconcile carries it too; meanwhile the Services stay (keepUpgradeTarget)
            }
            LogicalCopy.terminateClients(src, LogicalCopy.serverNow(src)); // sessions opened on the read-only source during the pause go to the target
            events.normal(upgrade, "CutOver", source.getMetadata().getName() + "'s Services lead to " + target + " (PostgreSQL "
                    + status.getTargetVersion() + "); writes paused " + status.getWritePause());
            List<String> mismatches = new ArrayList<>();
            int tables = 0;
            for (LogicalCopy.SourceDatabase db : databases) {
                try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 3600)) {
                    var sourceSums = TableChecksums.read(srcDb);
                    var targetSums = TableChecksums.read(snapshots.get(db.name()));
                    tables += sourceSums.size();
                    TableChecksums.compare(sourceSums, targetSums).forEach(m -> mismatches.add(db.name() + "." + m.table() + ": " + m.problem()));
                }
            }
            removeReplication(sourceAdmin, targetAdmin, databases);
            status.setTablesCompared(tables);
            status.setMismatches(mismatches);
            status.setLagBytes(0L);
            if (!mismatches.isEmpty()) {
                events.warning(upgrade, "ChecksumMismatch", mismatches.size() + " tables differ: " + String.join("; ", mismatches));
            }
            return null;
        } finally {
            for (Connection c : snapshots.values()) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // a snapshot connection that cannot close is gone already
                }
            }
        }
    }

    /** Drops the subscriptions (without their slots) on the target, then the slots and publications on the source. */
    static void removeReplication(PgEndpoint sourceAdmin, PgEndpoint targetAdmin, List<LogicalCopy.SourceDatabase> databases) throws SQLException {
        for (LogicalCopy.SourceDatabase db : databases) {
            try (Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                LogicalCopy.dropSubscription(tgtDb, db.subscription());
            }
            try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60)) {
                LogicalCopy.dropSource(srcDb, db.subscription());
            }
        }
    }

    private Outcome giveUp(PostgresMajorUpgrade upgrade, PostgresMajorUpgradeStatus status, Connection src, PgEndpoint targetAdmin,
                           List<LogicalCopy.SourceDatabase> databases, String why) throws SQLException {
        LogicalCopy.setReadOnly(src, false);
        enableAll(targetAdmin, databases);
        events.warning(upgrade, "CutoverAbandoned", why + "; " + upgrade.getSpec().getSource().getName() + " takes writes again");
        return Outcome.reconciling("CutoverAbandoned", why + "; the source takes writes again and the cutover is tried again in 30 s")
                .withPhase("Replicating");
    }

    /** The source writable again and the subscriptions applying: the state before the cutover began. */
    private static void resume(PgEndpoint sourceAdmin, PgEndpoint targetAdmin, List<LogicalCopy.SourceDatabase> databases) throws SQLException {
        try (Connection src = PgConnections.open(sourceAdmin, 5, 30)) {
            LogicalCopy.setReadOnly(src, false);
        }
        enableAll(targetAdmin, databases);
    }

    private static void enableAll(PgEndpoint targetAdmin, List<LogicalCopy.SourceDatabase> databases) throws SQLException {
        for (LogicalCopy.SourceDatabase db : databases) {
            try (Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                LogicalCopy.setEnabled(tgtDb, db.subscription(), true);
            }
        }
    }

    /**
     * Writes the cutover into the upgrade's status at once (a status patch), not at the end of the reconcile: the
     * comparison that follows may take minutes, and the source's reconciler must not move its Services back meanwhile.
     */
    private void recordNow(PostgresMajorUpgrade upgrade, PostgresMajorUpgradeStatus status) {
        PostgresMajorUpgrade base = client.getKubernetesSerialization().clone(upgrade);
        base.getMetadata().setResourceVersion(null);
        client.resource(base).editStatus(u -> {
            u.getStatus().setCutoverStartedAt(status.getCutoverStartedAt());
            u.getStatus().setCutoverAt(status.getCutoverAt());
            u.getStatus().setWritePause(status.getWritePause());
            u.getStatus().setSequencesCopied(status.getSequencesCopied());
            return u;
        });
    }

    private static boolean caughtUp(Connection src, List<String> slots, String lsn) throws SQLException {
        Instant deadline = Instant.now().plus(CATCH_UP);
        while (Instant.now().isBefore(deadline)) {
            if (LogicalCopy.confirmed(src, slots, lsn)) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Whether the source's -rw Service selects the target's instances already (a cutover an operator restart cut short). */
    static boolean servicesMoved(io.fabric8.kubernetes.client.KubernetesClient client, PostgresCluster source, String target) {
        return io.shopdb.operator.access.ClusterServices.selects(
                client.services().inNamespace(source.getMetadata().getNamespace()).withName(ClusterNames.writeService(source)).get(), target);
    }

    /**
     * The source's -rw and -ro select the target's instances (the source's reconciler keeps them so, see
     * ManagedClusterResources.keepUpgradeTarget), or, with {@code target} null, the source's own again.
     */
    void moveServices(PostgresCluster source, String target) {
        DesiredState.apply(client, source, io.shopdb.operator.access.ClusterServices.role(source, ClusterNames.writeService(source), ClusterNames.ROLE_PRIMARY, target));
        DesiredState.apply(client, source, io.shopdb.operator.access.ClusterServices.role(source, ClusterNames.readService(source), ClusterNames.ROLE_REPLICA, target));
    }
}
