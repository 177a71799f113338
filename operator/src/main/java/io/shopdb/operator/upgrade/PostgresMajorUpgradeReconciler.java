package io.shopdb.operator.upgrade;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgradeSpec;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgradeStatus;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgradeStatus.UpgradeDatabase;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.LogicalCopy;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.RoleCopy;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.sql.TableChecksums;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PostgresMajorUpgrade: a new cluster at a higher major fills from a running one by logical replication, catches up,
 * and takes the running one's Services at a cutover of a second or so. The steps, each re-entered safely after a
 * crash (what is done is in the status or in the servers' catalogs):
 * <ol>
 *   <li>Preparing: both clusters Ready; the source restarts with wal_level logical and the target's certificate names
 *       the source's Services (their reconcilers do both once they see the upgrade); the target holds no database.</li>
 *   <li>Copying: roles (with password hashes and memberships), then per database of the source the database, its
 *       schema (pg_dump --schema-only, pg_restore), a publication of all tables on the source and a subscription on
 *       the target, which copies the rows and then streams the changes.</li>
 *   <li>Replicating (ReadyForCutover with spec.cutover Manual): every table copied; lag in status.lagBytes.</li>
 *   <li>Cutover ({@link Cutover}): the source turns read-only and its sessions end; once the target confirmed the
 *       source's last WAL position, the sequences are carried over and the source's -rw and -ro Services select the
 *       target's instances. Then every table's count and checksum are compared, source (frozen) against the target
 *       as of the cutover (a snapshot taken before the Services moved), and the subscriptions go.</li>
 * </ol>
 * The source stays read-only with its data for a rollback; what names it (databases, roles, poolers) acts on the
 * target from then on (status.upgradedTo of the source, written by its own reconciler).
 */
@ControllerConfiguration(name = "postgresmajorupgrade")
public class PostgresMajorUpgradeReconciler implements Reconciler<PostgresMajorUpgrade>, Cleaner<PostgresMajorUpgrade> {
    private static final Logger LOG = Logger.getLogger(PostgresMajorUpgradeReconciler.class);
    static final Set<String> OWN_ROLES = Set.of(ClusterNames.SUPERUSER, ClusterNames.REPLICATION_USER);

    @Inject KubernetesClient client;
    @Inject ClusterConnections connections;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;

    @Override
    public List<EventSource<?, PostgresMajorUpgrade>> prepareEventSources(EventSourceContext<PostgresMajorUpgrade> context) {
        // both clusters: their Ready, and what their reconcilers record of this upgrade (wal_level, certificate names)
        return List.of(References.source(context, PostgresCluster.class, "clusters",
                u -> Set.of(u.getSpec().getSource().getName(), u.getSpec().getTarget().getName()),
                (now, before) -> Conditions.isReady(now.getStatus()) != Conditions.isReady(before.getStatus())
                        || !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                        || !Objects.equals(links(now), links(before))));
    }

    private static String links(PostgresCluster c) {
        var s = c.getStatus();
        return s == null ? null : s.getUpgradingTo() + "/" + s.getUpgradingFrom() + "/" + s.getUpgradedTo();
    }

    @Override
    public UpdateControl<PostgresMajorUpgrade> reconcile(PostgresMajorUpgrade upgrade, Context<PostgresMajorUpgrade> context) {
        Duration[] soon = new Duration[1];
        UpdateControl<PostgresMajorUpgrade> control = statusWriter.run(upgrade, context, PostgresMajorUpgradeStatus::new, status -> {
            String ns = upgrade.getMetadata().getNamespace();
            PostgresMajorUpgradeSpec spec = upgrade.getSpec();
            PostgresCluster source = cluster(context, spec.getSource().getName(), ns);
            PostgresCluster target = cluster(context, spec.getTarget().getName(), ns);
            if (status.getCutoverAt() != null) {
                if (status.getTablesCompared() == null && source != null && target != null) {
                    interruptedAfterCutover(status, source, target); // the operator restarted during the comparison
                }
                return finished(status);
            }
            if (source == null || target == null) {
                return Outcome.waitingForEvent("WaitingForCluster", "PostgresCluster " + (source == null ? spec.getSource().getName()
                        : spec.getTarget().getName()) + " does not exist yet").withPhase("Preparing");
            }
            List<String> problems = UpgradeChecks.problems(source, target);
            if (!problems.isEmpty()) {
                return Outcome.stalled("InvalidSpec", String.join("; ", problems));
            }
            if (!Conditions.isReady(source.getStatus()) || !Conditions.isReady(target.getStatus())) {
                return Outcome.waitingForEvent("WaitingForCluster", "Waiting for " + (Conditions.isReady(source.getStatus())
                        ? target.getMetadata().getName() : source.getMetadata().getName()) + " to be Ready").withPhase("Preparing");
            }
            try {
                return step(upgrade, status, source, target, soon);
            } catch (ClusterConnections.NotReachableException e) {
                soon[0] = Duration.ofSeconds(2);
                return Outcome.reconciling("WaitingForCluster", e.getMessage());
            } catch (SQLException e) {
                soon[0] = Duration.ofSeconds(2);
                return Outcome.reconciling(SqlErrors.reason(e), "SQL failed, will retry: " + Messages.firstLine(e));
            } catch (RuntimeException e) {
                LOG.warnf(e, "upgrade %s", upgrade.getMetadata().getName());
                soon[0] = Duration.ofSeconds(5);
                return Outcome.reconciling("CopyFailed", Messages.firstLine(e));
            }
        });
        return soon[0] == null ? control : control.rescheduleAfter(soon[0]);
    }

    private Outcome step(PostgresMajorUpgrade upgrade, PostgresMajorUpgradeStatus status, PostgresCluster source, PostgresCluster target,
                         Duration[] soon) throws SQLException, ClusterConnections.NotReachableException {
        String s = source.getMetadata().getName();
        String t = target.getMetadata().getName();
        soon[0] = Duration.ofSeconds(2);
        if (!t.equals(source.getStatus().getUpgradingTo()) || !s.equals(target.getStatus().getUpgradingFrom())) {
            return Outcome.reconciling("Preparing", "Waiting for " + s + " and " + t + " to take this upgrade in (status.upgradingTo,"
                    + " status.upgradingFrom)").withPhase("Preparing");
        }
        if (status.getSourcePrimary() != null && !status.getSourcePrimary().equals(source.getStatus().getCurrentPrimary())) {
            soon[0] = null;
            return Outcome.stalled("SourceFailedOver", s + " failed over from " + status.getSourcePrimary() + " to "
                    + source.getStatus().getCurrentPrimary() + " during the copy: the replication slots were on the former primary."
                    + " Delete this upgrade (its cleanup drops what it made) and the target cluster, then start again");
        }
        // the source's own primary by pod name, never -rw: after the cutover -rw leads to the target
        PgEndpoint sourceAdmin = connections.primaryPod(source);
        PgEndpoint targetAdmin = connections.admin(target);
        try (Connection src = PgConnections.open(sourceAdmin, 5, 60); Connection tgt = PgConnections.open(targetAdmin, 5, 60)) {
            if (Cutover.servicesMoved(client, source, t)) {
                return movedBeforeARestart(upgrade, status, sourceAdmin, targetAdmin, LogicalCopy.databases(src));
            }
            if (LogicalCopy.readOnlyBySwitch(src)) {
                LogicalCopy.setReadOnly(src, false); // a cutover cut short before the Services moved: writes go on where they were
                events.warning(upgrade, "CutoverAbandoned", "A cutover was cut short before the Services moved; " + s + " takes writes again");
            }
            status.setSourceVersion(LogicalCopy.setting(src, "server_version"));
            status.setTargetVersion(LogicalCopy.setting(tgt, "server_version"));
            if (!"logical".equals(LogicalCopy.setting(src, "wal_level"))) {
                return Outcome.reconciling("Preparing", s + " restarts with wal_level logical (its instances roll, replicas first)")
                        .withPhase("Preparing");
            }
            String unverified = TargetCertificate.problem(targetAdmin, sourceAdmin, source);
            if (unverified != null) {
                return Outcome.reconciling("Preparing", unverified).withPhase("Preparing");
            }
            List<LogicalCopy.SourceDatabase> databases = LogicalCopy.databases(src);
            if (status.getStartedAt() == null) {
                Outcome unfit = CopyChecks.before(src, tgt, sourceAdmin, databases, s, t);
                if (unfit != null) {
                    soon[0] = null; // re-checked at the re-check interval
                    return unfit;
                }
                status.setSourcePrimary(source.getStatus().getCurrentPrimary());
                status.setStartedAt(Instant.now().toString());
                status.setRolesCopied(RoleCopy.copy(src, tgt, OWN_ROLES));
                events.normal(upgrade, "CopyStarted", "Copying " + s + " (PostgreSQL " + status.getSourceVersion() + ") to " + t
                        + " (PostgreSQL " + status.getTargetVersion() + "): " + status.getRolesCopied() + " roles copied");
                soon[0] = Duration.ZERO; // recorded before the first database: a restart does not take the roles for a database of the target's own
                return Outcome.reconciling("Copying", "Copied " + status.getRolesCopied() + " roles to " + t).withPhase("Copying");
            }
            String caFile = LogicalCopy.setting(tgt, "ssl_ca_file");
            for (LogicalCopy.SourceDatabase db : databases) {
                UpgradeDatabase recorded = recorded(status, db.name());
                if (!Boolean.TRUE.equals(recorded.getSchemaCopied())) {
                    // one database per reconcile, recorded at once; a copy cut short (an operator restart) starts over
                    DatabaseStart.over(tgt, sourceAdmin, targetAdmin, db);
                    LogicalCopy.createDatabase(tgt, db);
                    SchemaCopy.copy(sourceAdmin.withDatabase(db.name()), targetAdmin.withDatabase(db.name()), db.name());
                    try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60);
                         Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 900)) {
                        LogicalCopy.ensurePublication(srcDb);
                        // the slot waits for the source's open transactions: a long socket timeout
                        LogicalCopy.ensureSubscription(tgtDb, db.subscription(), Subscriptions.conninfo(sourceAdmin, db.name(), caFile, db.subscription()));
                    }
                    recorded.setSchemaCopied(true);
                    soon[0] = Duration.ZERO;
                    return Outcome.reconciling("Copying", "Copied the schema of " + db.name() + " to " + t + "; its rows follow").withPhase("Copying");
                }
            }
            boolean applying = true;
            for (LogicalCopy.SourceDatabase db : databases) {
                UpgradeDatabase recorded = recorded(status, db.name());
                try (Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                    LogicalCopy.ensureSubscription(tgtDb, db.subscription(), Subscriptions.conninfo(sourceAdmin, db.name(), caFile, db.subscription()));
                    LogicalCopy.Progress progress = LogicalCopy.progress(tgtDb, db.subscription());
                    recorded.setTables(progress.tables());
                    recorded.setTablesReady(progress.ready());
                    applying &= LogicalCopy.applying(tgtDb, db.subscription());
                }
            }
            List<String> slots = databases.stream().map(LogicalCopy.SourceDatabase::subscription).toList();
            status.setLagBytes(LogicalCopy.lagBytes(src, slots));
            long copying = status.getDatabases().stream().filter(d -> !Objects.equals(d.getTables(), d.getTablesReady())).count();
            if (copying > 0 || status.getLagBytes() == null) {
                soon[0] = Duration.ofSeconds(1);
                return Outcome.reconciling("Copying", "Copying the rows of " + copying + " of " + databases.size() + " databases to " + t)
                        .withPhase("Copying");
            }
            if (upgrade.getSpec().getCutover() == PostgresMajorUpgradeSpec.Cutover.Manual) {
                soon[0] = Duration.ofSeconds(5);
                return Outcome.reconciling("ReadyForCutover", t + " follows " + s + " (" + status.getLagBytes() + " bytes behind); set"
                        + " spec.cutover: Automatic to move the Services").withPhase("ReadyForCutover");
            }
            if (status.getLagBytes() > Cutover.MAX_LAG_BYTES || !applying) {
                soon[0] = Duration.ofSeconds(1);
                return Outcome.reconciling("Replicating", t + " is " + status.getLagBytes() + " bytes behind " + s
                        + (applying ? "; the cutover waits until it is within " + Cutover.MAX_LAG_BYTES : "; waiting for its apply workers to run"))
                        .withPhase("Replicating");
            }
            RoleCopy.copy(src, tgt, OWN_ROLES); // roles changed since the start, still while the source takes writes
            soon[0] = null;
            Outcome abandoned = new Cutover(client, events).run(upgrade, status, source, sourceAdmin, targetAdmin, databases);
            if (abandoned != null) {
                soon[0] = Duration.ofSeconds(30); // not again at once: each try pauses writes
                return abandoned;
            }
            return finished(status);
        }
    }

    /**
     * The Services moved but the operator restarted before it recorded the cutover: recorded now (the pause unknown), the
     * sessions on the source ended, the replication removed; the target took writes since, so nothing is compared.
     */
    private Outcome movedBeforeARestart(PostgresMajorUpgrade upgrade, PostgresMajorUpgradeStatus status, PgEndpoint sourceAdmin,
                                        PgEndpoint targetAdmin, List<LogicalCopy.SourceDatabase> databases) throws SQLException {
        status.setCutoverAt(Instant.now().toString());
        status.setWritePause("unknown (an operator restart cut the cutover short)");
        try (Connection src = PgConnections.open(sourceAdmin, 5, 60)) {
            LogicalCopy.terminateClients(src, LogicalCopy.serverNow(src));
        }
        Cutover.removeReplication(sourceAdmin, targetAdmin, databases);
        status.setTablesCompared(0);
        status.getMismatches().clear();
        events.normal(upgrade, "CutOver", upgrade.getSpec().getSource().getName() + "'s Services lead to " + upgrade.getSpec().getTarget().getName()
                + " (recorded after an operator restart)");
        return finished(status);
    }

    /**
     * The cutover happened but the operator restarted before the comparison ended: the target has taken writes since, so
     * the comparison cannot be repeated; the subscriptions, slots and publications are removed as it would have.
     */
    private void interruptedAfterCutover(PostgresMajorUpgradeStatus status, PostgresCluster source, PostgresCluster target) {
        try (Connection src = PgConnections.open(connections.primaryPod(source), 5, 60)) {
            Cutover.removeReplication(connections.primaryPod(source), connections.admin(target), LogicalCopy.databases(src));
            status.setTablesCompared(0);
            status.getMismatches().clear();
        } catch (SQLException | ClusterConnections.NotReachableException e) {
            LOG.infof("upgrade cleanup after the cutover not done yet: %s", e.getMessage());
        }
    }

    /**
     * Deleted before its cutover: the subscriptions on the target, the slots (which keep WAL) and publications on the
     * source go, and a source a cutover left read-only takes writes again. The copied databases stay on the target.
     * A cluster that is gone has nothing to clean; one that does not answer is retried for 5 minutes, then left.
     */
    @Override
    public DeleteControl cleanup(PostgresMajorUpgrade upgrade, Context<PostgresMajorUpgrade> context) {
        var status = upgrade.getStatus();
        if (status == null || status.getStartedAt() == null || status.getTablesCompared() != null) {
            return DeleteControl.defaultDelete();
        }
        String ns = upgrade.getMetadata().getNamespace();
        PostgresCluster source = cluster(context, upgrade.getSpec().getSource().getName(), ns);
        PostgresCluster target = cluster(context, upgrade.getSpec().getTarget().getName(), ns);
        if (source == null) {
            return DeleteControl.defaultDelete();
        }
        try (Connection src = PgConnections.open(connections.primaryPod(source), 5, 60)) {
            for (LogicalCopy.SourceDatabase db : LogicalCopy.databases(src)) {
                if (target != null) {
                    try (Connection tgt = PgConnections.open(connections.admin(target), 5, 60)) {
                        if (DatabaseCatalog.exists(tgt, db.name())) {
                            try (Connection tgtDb = PgConnections.open(connections.admin(target).withDatabase(db.name()), 5, 60)) {
                                LogicalCopy.dropSubscription(tgtDb, db.subscription());
                            }
                        }
                    }
                }
                try (Connection srcDb = PgConnections.open(connections.primaryPod(source).withDatabase(db.name()), 5, 60)) {
                    LogicalCopy.dropSource(srcDb, db.subscription());
                }
            }
            if (status.getCutoverAt() == null) {
                LogicalCopy.setReadOnly(src, false);
                if (target != null && Cutover.servicesMoved(client, source, target.getMetadata().getName())) {
                    new Cutover(client, events).moveServices(source, null); // moved by a cutover cut short: back to the source
                }
            }
            events.normal(upgrade, "CleanedUp", "Removed the upgrade's subscriptions, replication slots and publications");
            return DeleteControl.defaultDelete();
        } catch (SQLException | ClusterConnections.NotReachableException | RuntimeException e) {
            Instant deleted = Instant.parse(upgrade.getMetadata().getDeletionTimestamp());
            if (Duration.between(deleted, Instant.now()).compareTo(Duration.ofMinutes(5)) > 0) {
                events.warning(upgrade, "CleanupAbandoned", "Could not remove the upgrade's replication slots on " + source.getMetadata().getName()
                        + " for 5 minutes (" + Messages.firstLine(e) + "); drop the slots named shopdb_upgrade_* there by hand, they keep WAL");
                return DeleteControl.defaultDelete();
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(10));
        }
    }

    /** After the cutover: the result stays as it was recorded (Ready, or Stalled on a checksum mismatch). */
    private static Outcome finished(PostgresMajorUpgradeStatus status) {
        if (!status.getMismatches().isEmpty()) {
            return Outcome.stalled("ChecksumMismatch", "The cutover happened, but " + status.getMismatches().size()
                    + " tables differ between the source and the target: " + String.join("; ", status.getMismatches()));
        }
        String compared = status.getTablesCompared() == null || status.getTablesCompared() == 0 && status.getDatabases().stream()
                .anyMatch(d -> d.getTables() != null && d.getTables() > 0)
                ? "the comparison of the tables was interrupted by an operator restart and cannot be repeated (the target took writes since)"
                : status.getTablesCompared() + " tables equal on both sides";
        return Outcome.ready("Completed", "Cut over at " + status.getCutoverAt() + " (writes paused " + status.getWritePause() + "); "
                + compared).withPhase("Completed");
    }

    private static UpgradeDatabase recorded(PostgresMajorUpgradeStatus status, String name) {
        for (UpgradeDatabase d : status.getDatabases()) {
            if (d.getName().equals(name)) {
                return d;
            }
        }
        UpgradeDatabase d = new UpgradeDatabase(name);
        status.getDatabases().add(d);
        return d;
    }

    private static PostgresCluster cluster(Context<PostgresMajorUpgrade> context, String name, String ns) {
        return context.getSecondaryResourcesAsStream(PostgresCluster.class)
                .filter(c -> name.equals(c.getMetadata().getName()) && ns.equals(c.getMetadata().getNamespace())).findFirst().orElse(null);
    }
}
