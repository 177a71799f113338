package io.shopdb.operator.upgrade;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
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
import io.shopdb.operator.cluster.ClusterObjects;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.kube.References;
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
public class PostgresMajorUpgradeReconciler implements Reconciler<PostgresMajorUpgrade> {
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
        PgEndpoint sourceAdmin = connections.admin(source);
        PgEndpoint targetAdmin = connections.admin(target);
        try (Connection src = PgConnections.open(sourceAdmin, 5, 60); Connection tgt = PgConnections.open(targetAdmin, 5, 60)) {
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
            if (status.getStartedAt() == null) {
                List<String> own = LogicalCopy.databases(tgt).stream().map(LogicalCopy.SourceDatabase::name).toList();
                if (!own.isEmpty()) {
                    return Outcome.stalled("TargetNotEmpty", t + " holds databases of its own (" + String.join(", ", own)
                            + "): the target of an upgrade must be a new cluster, it receives every database of " + s);
                }
                status.setStartedAt(Instant.now().toString());
                status.setRolesCopied(RoleCopy.copy(src, tgt, OWN_ROLES));
                events.normal(upgrade, "CopyStarted", "Copying " + s + " (PostgreSQL " + status.getSourceVersion() + ") to " + t
                        + " (PostgreSQL " + status.getTargetVersion() + "): " + status.getRolesCopied() + " roles copied");
            }
            List<LogicalCopy.SourceDatabase> databases = LogicalCopy.databases(src);
            String caFile = LogicalCopy.setting(tgt, "ssl_ca_file");
            for (LogicalCopy.SourceDatabase db : databases) {
                UpgradeDatabase recorded = recorded(status, db.name());
                if (!Boolean.TRUE.equals(recorded.getSchemaCopied())) {
                    LogicalCopy.dropDatabase(tgt, db.name()); // a copy cut short starts over
                    LogicalCopy.createDatabase(tgt, db);
                    SchemaCopy.copy(sourceAdmin.withDatabase(db.name()), targetAdmin.withDatabase(db.name()), db.name());
                    recorded.setSchemaCopied(true);
                }
                try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60);
                     Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                    LogicalCopy.ensurePublication(srcDb);
                    LogicalCopy.ensureSubscription(tgtDb, db.subscription(), Subscriptions.conninfo(sourceAdmin, db.name(), caFile, db.subscription()));
                    LogicalCopy.Progress progress = LogicalCopy.progress(tgtDb, db.subscription());
                    recorded.setTables(progress.tables());
                    recorded.setTablesReady(progress.ready());
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
            if (status.getLagBytes() > Cutover.MAX_LAG_BYTES) {
                soon[0] = Duration.ofSeconds(1);
                return Outcome.reconciling("Replicating", t + " is " + status.getLagBytes() + " bytes behind " + s
                        + "; the cutover waits until it is within " + Cutover.MAX_LAG_BYTES).withPhase("Replicating");
            }
            soon[0] = null;
            Outcome abandoned = new Cutover(client, events).run(upgrade, status, source, sourceAdmin, targetAdmin, databases);
            return abandoned != null ? abandoned : finished(status);
        }
    }

    /** After the cutover: the result stays as it was recorded (Ready, or Stalled on a checksum mismatch). */
    private static Outcome finished(PostgresMajorUpgradeStatus status) {
        if (!status.getMismatches().isEmpty()) {
            return Outcome.stalled("ChecksumMismatch", "The cutover happened, but " + status.getMismatches().size()
                    + " tables differ between the source and the target: " + String.join("; ", status.getMismatches()));
        }
        return Outcome.ready("Completed", "Cut over at " + status.getCutoverAt() + " (writes paused " + status.getWritePause() + "); "
                + status.getTablesCompared() + " tables equal on both sides").withPhase("Completed");
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
