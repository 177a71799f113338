package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.BootstrapSpec;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.RecoverySpec;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.sql.DrillChecks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The restore drill of a physical backup as a point-in-time recovery (spec.verify.pointInTime): a scratch cluster
 * {@code <schedule>-drill} bootstrapped from the backup plus the source's WAL archive up to its end (the same path a
 * real recovery takes: unpack, prepare-recovery, replay, promote), the checks run there (DrillChecks: a throwaway
 * read-only role, never the superuser; pass/fail and counts, never row data), then the scratch
 * cluster goes (reclaimPolicy Delete: its volume and Secrets too). The instance image runs the server, so the drill
 * needs no server binaries in the agent image.
 */
final class PointInTimeDrill {
    /** The verdict: null while the drill runs, else whether it passed and what happened. */
    record Result(boolean ok, String message) {}

    private final KubernetesClient client;
    private final ClusterAccess clusters;

    PointInTimeDrill(KubernetesClient client, ClusterAccess clusters) {
        this.client = client;
        this.clusters = clusters;
    }

    static String clusterName(PostgresBackupSchedule schedule) {
        return schedule.getMetadata().getName() + "-drill";
    }

    /** One step: create the scratch cluster, or wait for it, or run the checks on it. */
    Result step(PostgresBackupSchedule schedule, PostgresBackup backup, Instant startedAt, Duration timeout) {
        String ns = schedule.getMetadata().getNamespace();
        String name = clusterName(schedule);
        PostgresCluster drill = client.resources(PostgresCluster.class).inNamespace(ns).withName(name).get();
        if (drill == null) {
            client.resource(scratch(schedule, backup)).create();
            return null;
        }
        if (!madeBy(drill, schedule)) {
            // someone else's cluster of that name: never adopt it, never run checks on it, never delete it
            return new Result(false, "PostgresCluster " + name + " exists and was not made by this schedule (no owner reference to it):"
                    + " the point-in-time drill needs that name for its scratch cluster; rename or remove that cluster");
        }
        var stalled = Conditions.stalled(drill.getStatus());
        if (stalled != null) {
            return new Result(false, "the scratch cluster " + name + " cannot recover: " + stalled.getMessage());
        }
        ClusterAccess.Target target;
        try {
            target = clusters.readyCluster(ns, name);
        } catch (ClusterAccess.WaitingException e) {
            if (startedAt != null && Instant.now().isAfter(startedAt.plus(timeout))) {
                return new Result(false, "the scratch cluster " + name + " was not Ready after " + timeout.toMinutes() + " minutes: "
                        + (drill.getStatus() == null ? "" : Conditions.find(drill.getStatus(), Conditions.READY) == null ? ""
                        : Conditions.find(drill.getStatus(), Conditions.READY).getMessage()));
            }
            return null;
        }
        var verify = schedule.getSpec().getVerify();
        String database = verify.getDatabase() != null ? verify.getDatabase() : "postgres";
        try (Connection c = target.open(database)) {
            String reached = scalar(c, "SELECT pg_current_wal_lsn()::text");
            // in the scratch cluster only, as a throwaway read-only role (never the superuser); data-free verdicts
            DrillChecks.Report report = DrillChecks.run(c, target.admin().withDatabase(database), verify.getChecks());
            if (report.cleanupProblem() != null) {
                System.getLogger(PointInTimeDrill.class.getName()).log(System.Logger.Level.WARNING, report.cleanupProblem());
            }
            String what = "recovered " + backup.getMetadata().getName() + " plus archived WAL to the end of the archive (promoted at " + reached + ")";
            return report.ok() ? new Result(true, what + "; " + report.summary())
                    : new Result(false, what + "; " + report.summary() + ": " + String.join("; ", report.failures()));
        } catch (SQLException e) {
            return new Result(false, "checks on the scratch cluster " + name + " could not run: " + DrillChecks.describe(e));
        }
    }

    /** Removes the scratch cluster (its volume and Secrets go with it: reclaimPolicy Delete), if this schedule made it. */
    void cleanUp(PostgresBackupSchedule schedule) {
        PostgresCluster drill = client.resources(PostgresCluster.class).inNamespace(schedule.getMetadata().getNamespace())
                .withName(clusterName(schedule)).get();
        if (drill != null && madeBy(drill, schedule)) {
            client.resource(drill).delete();
        }
    }

    /** The scratch cluster is this schedule's when it names the schedule (this very object, by uid) as its owner. */
    static boolean madeBy(PostgresCluster drill, PostgresBackupSchedule schedule) {
        var owners = drill.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> "PostgresBackupSchedule".equals(o.getKind())
                && schedule.getMetadata().getUid() != null && schedule.getMetadata().getUid().equals(o.getUid()));
    }

    private PostgresCluster scratch(PostgresBackupSchedule schedule, PostgresBackup backup) {
        PostgresCluster source = client.resources(PostgresCluster.class).inNamespace(schedule.getMetadata().getNamespace())
                .withName(schedule.getSpec().getClusterRef().getName()).get();
        var spec = new PostgresClusterSpec();
        spec.setInstances(1);
        spec.setReclaimPolicy(ReclaimPolicy.Delete);
        if (source != null) {
            // a recovery needs settings at least as high as the source's (max_connections, ...)
            spec.setPostgresVersion(source.getSpec().getPostgresVersion());
            spec.setImage(source.getSpec().getImage());
            spec.setParameters(new TreeMap<>(source.getSpec().getParameters() == null ? Map.of() : source.getSpec().getParameters()));
            spec.setResources(source.getSpec().getResources());
        }
        var from = new BootstrapSpec.FromBackup(new LocalReference(backup.getMetadata().getName()));
        if (source != null && source.getSpec().getWalArchive() != null) {
            from.setRecovery(new RecoverySpec()); // no target: the end of the archive
        }
        var bootstrap = new BootstrapSpec();
        bootstrap.setFromBackup(from);
        spec.setBootstrap(bootstrap);
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(clusterName(schedule)).withNamespace(schedule.getMetadata().getNamespace())
                .withLabels(Map.of(PostgresBackupScheduleReconciler.SCHEDULE_LABEL, schedule.getMetadata().getName()))
                .withOwnerReferences(DesiredState.ownerReference(schedule)).build());
        c.setSpec(spec);
        return c;
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
