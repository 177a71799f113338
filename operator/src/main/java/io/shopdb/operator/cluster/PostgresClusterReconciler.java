package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.ExternalTls;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalog;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.tls.ServedCertificate;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.ReplicaStatus;
import io.shopdb.operator.access.ClusterConnections.NotReachableException;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ReplicationUser;
import io.shopdb.operator.sql.ServerQueries;
import io.shopdb.operator.sql.ServerState;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.Set;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgresCluster: validate → apply Kubernetes objects (managed mode) → observe the server over SQL →
 * report. No finalizer: owned objects go with the cluster through owner references, and volumes and
 * credentials follow spec.reclaimPolicy (see ClusterCredentials and the StatefulSet's PVC retention policy).
 */
@ControllerConfiguration(name = "postgrescluster")
public class PostgresClusterReconciler implements Reconciler<PostgresCluster> {
    /** Only instance pods (and agent pods, filtered out by ClusterPods) are cached, not every pod of the cluster. */
    static final String MANAGED_PODS = "app.kubernetes.io/managed-by=" + ClusterNames.MANAGED_BY;
    private static final Logger LOG = Logger.getLogger(PostgresClusterReconciler.class);
    private static final long MIB = 1024L * 1024L;

    @Inject KubernetesClient client;
    @Inject ClusterConnections connections;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;
    @Inject NetworkPolicyConfig networkPolicy;
    @Inject HighAvailability ha;
    @Inject PrimaryProbe probe;
    @Inject NodeDrains drains;
    @Inject InstanceConnections instances;
    /** What the maintenance window is judged by; tests move it. */
    private volatile java.time.Clock clock = java.time.Clock.systemUTC();

    void useClock(java.time.Clock clock) {
        this.clock = clock;
    }

    /**
     * The instance pods wake the reconciler: a primary that becomes ready gets the -rw label at once, a
     * primary that stops being ready is failed over at once, and pod errors reach the status.
     */
    @Override
    public List<EventSource<?, PostgresCluster>> prepareEventSources(EventSourceContext<PostgresCluster> context) {
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, PostgresCluster.class)
                .withLabelSelector(MANAGED_PODS)
                .withSecondaryToPrimaryMapper((Pod p) -> {
                    String cluster = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(ClusterNames.CLUSTER_LABEL);
                    return cluster == null ? Set.of() : Set.of(new ResourceID(cluster, p.getMetadata().getNamespace()));
                })
                .build(), context);
        // a cluster's backups: the WAL archive's retention boundary and recoverable window come from them (spec.walArchive)
        var backups = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresBackup.class, PostgresCluster.class)
                .withSecondaryToPrimaryMapper((PostgresBackup b) -> b.getSpec() == null || b.getSpec().getClusterRef() == null ? Set.of()
                        : Set.of(new ResourceID(b.getSpec().getClusterRef().getName(), b.getMetadata().getNamespace())))
                .build(), context);
        // the operator's own probe of each primary wakes its cluster when the primary stops (or starts again) answering;
        // a cordon of the primary's node (a drain begins) wakes it too
        // a standby (spec.standby) wakes its source: the source's NetworkPolicy admits its standbys' instances
        var standbys = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresCluster.class, PostgresCluster.class)
                .withName("standbys")
                .withSecondaryToPrimaryMapper((PostgresCluster s) -> s.getSpec() == null || s.getSpec().getStandby() == null ? Set.of()
                        : Set.of(new ResourceID(s.getSpec().getStandby().getSource().getName(), s.getMetadata().getNamespace())))
                .withOnUpdateFilter((now, before) -> !java.util.Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration()))
                .build(), context);
        // a major upgrade wakes its source (wal_level, NetworkPolicy, the Services at the cutover) and its target (certificate names)
        var upgrades = new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresMajorUpgrade.class, PostgresCluster.class)
                .withSecondaryToPrimaryMapper((PostgresMajorUpgrade u) -> u.getSpec() == null || u.getSpec().getSource() == null
                        || u.getSpec().getTarget() == null ? Set.of()
                        : Set.of(new ResourceID(u.getSpec().getSource().getName(), u.getMetadata().getNamespace()),
                                new ResourceID(u.getSpec().getTarget().getName(), u.getMetadata().getNamespace())))
                .build(), context);
        // the image catalog a cluster names: a new image for its major rolls it
        var catalogs = io.shopdb.operator.kube.References.source(context, PostgresImageCatalog.class, "imagecatalogs",
                c -> c.getSpec() == null || c.getSpec().getImageCatalogRef() == null ? Set.of() : Set.of(c.getSpec().getImageCatalogRef().getName()), null);
        return List.of(pods, backups, probe.eventSource(), drains.eventSource(), standbys, upgrades, catalogs);
    }

    @Override
    public UpdateControl<PostgresCluster> reconcile(PostgresCluster cluster, Context<PostgresCluster> context) {
        LOG.debugf("reconcile %s generation %s", cluster.getMetadata().getName(), cluster.getMetadata().getGeneration());
        Duration[] soon = new Duration[1];
        UpdateControl<PostgresCluster> control = statusWriter.run(cluster, context, PostgresClusterStatus::new, status -> {
            status.setMode(cluster.getSpec().isExternal() ? "External" : "Managed");
            List<String> problems = ClusterValidation.problems(cluster.getMetadata().getName(), cluster.getSpec());
            if (!problems.isEmpty()) {
                return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", problems));
            }
            if (cluster.getSpec().isExternal()) {
                return reconcileExternal(cluster, status);
            }
            MajorUpgradeLinks.record(cluster, context.getSecondaryResources(PostgresMajorUpgrade.class), status);
            ClusterPods pods = ClusterPods.of(cluster, context.getSecondaryResources(Pod.class));
            ClusterWalArchive.recordWindow(cluster, status, List.copyOf(context.getSecondaryResources(PostgresBackup.class)));
            String sourceName = StandbyReplication.sourceName(cluster, status);
            PostgresCluster source = sourceName == null ? null : context.getPrimaryCache()
                    .get(new ResourceID(sourceName, cluster.getMetadata().getNamespace())).orElse(null);
            List<String> standbys = context.getPrimaryCache().list(c -> cluster.getMetadata().getNamespace().equals(c.getMetadata().getNamespace())
                            && c.getSpec() != null && c.getSpec().getStandby() != null
                            && cluster.getMetadata().getName().equals(c.getSpec().getStandby().getSource().getName()))
                    .map(c -> c.getMetadata().getName()).sorted().collect(java.util.stream.Collectors.toCollection(ArrayList::new));
            if (status.getUpgradingTo() != null) {
                standbys.add(status.getUpgradingTo()); // the upgrade's target subscribes to this cluster: admitted as a standby is
            }
            PostgresImageCatalog catalog = context.getSecondaryResources(PostgresImageCatalog.class).stream().findFirst().orElse(null);
            return reconcileManaged(cluster, status, pods, source, standbys, catalog, recheck -> soon[0] = recheck);
        });
        // a primary change under way looks again within a fraction of a second, not after the 2 s minimum backoff
        return soon[0] == null ? control : control.rescheduleAfter(soon[0]);
    }

    /**
     * A connection to the primary for the reconcile's own reads, with short bounds (login 2 s, each read 10 s): a
     * reconcile under way when the primary hangs ends soon, so the failover its probe asked for is not held behind it.
     */
    private Connection primary(PostgresCluster cluster) throws SQLException, NotReachableException {
        return PgConnections.open(connections.admin(cluster), 2, 10);
    }

    private Outcome reconcileExternal(PostgresCluster cluster, PostgresClusterStatus status) {
        String unverified = ExternalTls.warning(cluster.getSpec().getExternal());
        if (unverified != null && !Conditions.isReady(status)) {
            events.warning(cluster, "ServerNotVerified", unverified); // once per way to Ready, not every reconcile
        }
        try {
            PgEndpoint admin = connections.admin(cluster);
            status.setPrimary(cluster.getSpec().getExternal().getHost());
            try (Connection c = PgConnections.open(admin)) {
                ServerState state = ServerQueries.read(c, null);
                recordServer(status, state);
                return Outcome.ready(Reasons.READY, "External server " + admin.host() + ":" + admin.port() + " answers (PostgreSQL " + state.version() + ")");
            }
        } catch (NotReachableException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.CREDENTIALS_MISSING, e.getMessage());
        } catch (SQLException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "Cannot reach the server: " + Messages.firstLine(e));
        }
    }

    /** The outcome to stop at, or the restore (and its source cluster) to apply; see spec.bootstrap.fromBackup. */
    private record Bootstrap(Outcome stop, InstanceSetBuilder.Restore restore, PostgresCluster source) {}

    private Bootstrap bootstrap(PostgresCluster cluster, PostgresClusterStatus status) {
        var from = cluster.getSpec().getBootstrap() == null ? null : cluster.getSpec().getBootstrap().getFromBackup();
        if (from == null || from.getBackupRef() == null) {
            return new Bootstrap(null, null, null);
        }
        String ns = cluster.getMetadata().getNamespace();
        String name = from.getBackupRef().getName();
        PostgresBackup backup = client.resources(PostgresBackup.class).inNamespace(ns).withName(name).get();
        if (backup == null) {
            return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_BACKUP,
                    "Waiting for PostgresBackup " + name + " (spec.bootstrap.fromBackup.backupRef) to exist"), null, null);
        }
        if (backup.getSpec().getMethod() != BackupTemplate.BackupMethod.physical) {
            return new Bootstrap(Outcome.stalled(Reasons.INVALID_SPEC, "PostgresBackup " + name + " is "
                    + backup.getSpec().getMethod() + ": spec.bootstrap.fromBackup needs a physical backup"
                    + " (restore a logical one into a database with a PostgresRestore)"), null, null);
        }
        if (!Conditions.isReady(backup.getStatus()) || backup.getStatus().getBackupId() == null) {
            return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_BACKUP, "Waiting for PostgresBackup " + name + " to be Ready"), null, null);
        }
        PostgresCluster source = null;
        if (backup.getSpec().getClusterRef() != null) {
            source = client.resources(PostgresCluster.class).inNamespace(ns).withName(backup.getSpec().getClusterRef().getName()).get();
        }
        boolean secretsExist = ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(cluster), "password") != null;
        if (!secretsExist && (source == null
                || ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(source), "password") == null)) {
            return new Bootstrap(Outcome.stalled(Reasons.CREDENTIALS_MISSING, "The restored data keeps the superuser password of the"
                    + " backup's source cluster, but its Secret is not found; create Secret " + ClusterNames.superuserSecret(cluster)
                    + " (username postgres, password of the source) before the cluster starts"), null, null);
        }
        ClusterWalArchive.RecoveryPlan recovery = ClusterWalArchive.recovery(cluster, status, backup, source);
        if (recovery.stop() != null) {
            return new Bootstrap(recovery.stop(), null, null);
        }
        return new Bootstrap(null, new InstanceSetBuilder.Restore(backup.getStatus().getBackupId(), backup.getSpec().getTarget(),
                config.agent().image(), recovery.recovery()), secretsExist ? null : source);
    }

    /**
     * A standby's data, so the passwords inside it, are its source's: its Secrets are made from the source's, and
     * nothing starts before those exist (a standby and its source applied together). With spec.standby.archive the
     * source's archive folder is recorded before the pods are built.
     */
    private Bootstrap standbyBootstrap(PostgresCluster cluster, PostgresCluster source, PostgresClusterStatus status) {
        String ns = cluster.getMetadata().getNamespace();
        String sourceName = cluster.getSpec().getStandby().getSource().getName();
        // a cluster that has run has its Secrets: no GET after that, and none of the source's (apply copies them only when missing)
        boolean secretsToCopy = status.getCurrentPrimary() == null
                && ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(cluster), "password") == null;
        if (secretsToCopy) {
            if (source == null) {
                return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_SOURCE, "Waiting for PostgresCluster " + sourceName
                        + " (spec.standby.source) to exist"), null, null);
            }
            if (ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(source), "password") == null
                    || ClusterCredentials.read(client, ns, ClusterNames.replicationSecret(source), "password") == null) {
                return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_SOURCE, "Waiting for the Secrets of " + sourceName
                        + " (a standby takes its source's passwords)"), null, null);
            }
        }
        if (cluster.getSpec().getStandby().getArchive() != null && StandbyArchive.of(cluster) == null) {
            // the pods are built from the recorded folder: record it first, so no instance starts without its wal-fetcher
            String prefix = StandbyArchive.prefix(cluster, source);
            if (prefix == null) {
                return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_SOURCE, "Waiting for " + sourceName + " to archive its WAL"
                        + " (its spec.walArchive and status.walArchive.prefix): spec.standby.archive replays that archive"), null, null);
            }
            var recorded = status.getStandby() != null ? status.getStandby() : new io.shopdb.operator.api.v1alpha1.StandbyStatus();
            recorded.setSource(sourceName);
            recorded.setArchivePrefix(prefix);
            status.setStandby(recorded);
            return new Bootstrap(Outcome.reconciling(Reasons.WAITING_FOR_SOURCE, "Replaying the WAL archive folder " + prefix + " of "
                    + sourceName + " besides streaming; starting the instances"), null, null);
        }
        return new Bootstrap(null, null, secretsToCopy ? source : null);
    }

    private Outcome reconcileManaged(PostgresCluster cluster, PostgresClusterStatus status, ClusterPods pods, PostgresCluster source,
                                     List<String> standbys, PostgresImageCatalog catalog, java.util.function.Consumer<Duration> recheck) {
        if (cluster.getSpec().getStandby() != null && cluster.getSpec().getBootstrap() != null && status.getCurrentPrimary() == null) {
            // on an existing cluster (restored from a backup once, demoted now) spec.bootstrap is history; on a new one it is a contradiction
            return Outcome.stalled(Reasons.INVALID_SPEC, "spec.standby and spec.bootstrap exclude each other on a new cluster: a standby"
                    + " starts as a copy of its source; remove one of them");
        }
        Outcome imageWait = ImageCatalogs.resolve(cluster, status, catalog);
        if (imageWait != null) {
            if (imageWait.recheckInputs()) {
                recheck.accept(Duration.ofMillis(200)); // resolved: build the instances with it now
            }
            return imageWait;
        }
        Bootstrap bootstrap = cluster.getSpec().getStandby() != null ? standbyBootstrap(cluster, source, status) : bootstrap(cluster, status);
        if (bootstrap.stop() != null) {
            return bootstrap.stop();
        }
        ClusterTlsSecrets.Result tls;
        try {
            tls = ClusterTls.ensure(client, cluster, java.time.Instant.now());
        } catch (ClusterTlsSecrets.CaException e) {
            return e.retryable() ? Outcome.reconciling(Reasons.CREDENTIALS_MISSING, e.getMessage()) : Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage());
        }
        if (tls.wrote()) {
            events.normal(cluster, "CertificateIssued", "Issued the server certificate " + tls.server().getSerialNumber().toString(16)
                    + " (" + tls.issued() + "), valid until " + tls.server().getNotAfter().toInstant());
        }
        status.setTls(ClusterTls.status(cluster, tls, status.getTls()));
        ManagedClusterResources resources = new ManagedClusterResources(client, config.agent().image(), clock).servedBy(status.getUpgradedTo(), status.getUpgradingTo());
        ClusterObjects.Declared declared = ha.declared(cluster, status);
        if (resources.apply(cluster, bootstrap.restore(), bootstrap.source(), declared) | ClusterNetworkPolicy.apply(client, cluster, networkPolicy, standbys)) {
            events.normal(cluster, "Applied", "Created or updated the cluster's Kubernetes objects");
        }
        status.setStorage(resources.storage());
        storageWarning(cluster, "VolumeExpansionRefused", resources.storage() == null ? null : resources.storage().getProblem());
        String agentImageBefore = status.getAgentImage();
        status.setAgentImage(resources.agentImageUsed());
        status.setAgentImagePending(resources.agentImagePending());
        if (agentImageBefore != null && !agentImageBefore.equals(status.getAgentImage())) {
            events.normal(cluster, "AgentImageUpdated", "The instances' agent containers move to " + status.getAgentImage()
                    + " with this roll (they ran " + agentImageBefore + ")");
        }
        int ready = (int) pods.readyCount();
        int wanted = cluster.getSpec().getInstances();
        status.setInstanceImages(new ArrayList<>(pods.images()));
        status.setReadyInstances(ready);
        status.setInstances(ready + "/" + wanted);
        status.setWriteService(ClusterNames.writeService(cluster));
        status.setReadService(ClusterNames.readService(cluster));
        status.setSuperuserSecret(ClusterNames.superuserSecret(cluster));
        if (cluster.getSpec().isHibernating()) {
            probe.watch(cluster, null); // nothing to probe: a stopped primary is not a lost one
            if (pods.all().isEmpty()) {
                connections.retire(java.util.Set.of(ClusterConnections.key(cluster))); // no idle pool knocking on a stopped server
            }
            status.setInstances("0/" + wanted);
            return Hibernation.outcome(status, pods.all().size());
        }
        String primaryToWake = status.getCurrentPrimary();
        if (Hibernation.waking(status) && primaryToWake != null && !pods.ready(primaryToWake)) {
            return Hibernation.wakingOutcome(primaryToWake, ready, wanted, InstancePodProblems.describe(pods.all()));
        }
        HighAvailability.Step step = ha.step(cluster, status, pods, declared);
        status.setPrimary(status.getCurrentPrimary());
        if (step.recheck() != null) {
            recheck.accept(step.recheck());
        }
        if (step.outcome() != null) {
            return step.outcome();
        }
        List<String> podProblems = InstancePodProblems.describe(pods.all());
        if (!pods.ready(status.getCurrentPrimary())) {
            status.setPrimaryReachable(false);
            if (!podProblems.isEmpty()) {
                return Outcome.reconciling(Reasons.INSTANCE_FAILING, String.join("; ", podProblems));
            }
            return Outcome.reconciling(Reasons.WAITING_FOR_INSTANCES, "Waiting for the primary " + status.getCurrentPrimary() + " to be ready");
        }
        Map<String, String> desired = PostgresParameters.forCluster(cluster);
        boolean standby = cluster.getSpec().followsSource(); // read-only: nothing below writes to it
        try {
            if (StandbyReplication.involved(cluster, status)) {
                try (Connection c = primary(cluster)) {
                    Outcome changing = new StandbyReplication(client, connections, events).step(cluster, status, c, () -> primary(cluster), source);
                    if (changing != null) {
                        status.setPrimaryReachable(true);
                        recheck.accept(Duration.ofSeconds(1));
                        return changing;
                    }
                    if (!StandbyReplication.involved(cluster, status)) {
                        probe.watch(cluster, status.getCurrentPrimary()); // promoted just now: renew its lease from here on
                    }
                }
            } else if (cluster.getSpec().getStandby() == null) {
                status.setStandby(null);
            }
            Outcome recovering = standby ? null : ClusterWalArchive.recovering(cluster, status, () -> primary(cluster));
            if (recovering != null) {
                status.setPrimaryReachable(true);
                return recovering;
            }
            if (!standby && SuperuserRotation.apply(client, cluster, connections.admin(cluster))) {
                events.normal(cluster, "SuperuserPasswordRotated", "Set the superuser password from Secret " + ClusterNames.superuserSecret(cluster));
            }
        } catch (NotReachableException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.CREDENTIALS_MISSING, e.getMessage());
        } catch (SQLException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "Cannot rotate the superuser password: " + Messages.firstLine(e));
        }
        try (Connection c = primary(cluster)) {
            if (!standby) {
                io.shopdb.operator.sql.ReplicationQueries.commitLocally(c); // the standbys need the replication role to ack anything
                char[] replicationPassword = ClusterCredentials.read(client, cluster.getMetadata().getNamespace(),
                        ClusterNames.replicationSecret(cluster), "password");
                if (replicationPassword != null && ReplicationUser.ensure(c, ClusterNames.REPLICATION_USER, replicationPassword)) {
                    LOG.infof("replication role %s set on %s", ClusterNames.REPLICATION_USER, cluster.getMetadata().getName());
                }
            }
            PrimaryLease.arm(c); // before the cluster counts as initialized (recordServer): its guard is armed from now on
            ServerState state = ServerQueries.read(c, "/" + ClusterObjects.CONFIG_FILE);
            recordServer(status, state);
            autoGrow(cluster, status, c, resources);
            var point = standby ? null : ClusterWalArchive.recordArchiver(c, cluster, status);
            if (point != null) {
                events.normal(cluster, "RestorePointCreated", "Created restore point " + point.getName() + " at " + point.getLsn()
                        + " (a target for recovery.targetName)");
            }
            ParameterRollout.Verdict verdict = ParameterRollout.judge(desired, state);
            if (verdict.step() == ParameterRollout.Step.INVALID) {
                return Outcome.stalled(Reasons.INVALID_PARAMETER, "PostgreSQL refused spec.parameters: " + String.join("; ", verdict.details()));
            }
            if (verdict.step() == ParameterRollout.Step.WAIT_FOR_FILE) {
                return Outcome.reconciling(Reasons.APPLYING_PARAMETERS, "Waiting for the new configuration to reach the instances: " + String.join(", ", verdict.details()));
            }
            String configHash = ClusterObjects.configHash(cluster);
            if (!configHash.equals(status.getConfigurationHash())) {
                LOG.infof("reloading the configuration of %s", cluster.getMetadata().getName());
                reloadAll(cluster);
                status.setConfigurationHash(configHash);
                return Outcome.reconciling(Reasons.APPLYING_PARAMETERS, "Reloaded the new configuration on every instance");
            }
            Outcome certificate = reloadRenewedCertificate(cluster, tls, status);
            if (certificate != null) {
                return certificate;
            }
            status.setPendingRestart(new ArrayList<>(state.pendingRestart()));
            if (!state.pendingRestart().isEmpty()) {
                return Outcome.reconciling(Reasons.ROLLING_RESTART, "Parameters wait for the rolling restart: " + String.join(", ", state.pendingRestart()));
            }
        } catch (NotReachableException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.CREDENTIALS_MISSING, e.getMessage());
        } catch (SQLException e) {
            status.setPrimaryReachable(false);
            return Outcome.reconciling(Reasons.SERVER_UNREACHABLE, "Cannot reach the primary: " + Messages.firstLine(e));
        }
        long streaming = status.getReplicas().stream().filter(r -> "streaming".equals(r.getState())).count();
        if (!podProblems.isEmpty()) {
            return Outcome.reconciling(Reasons.INSTANCE_FAILING, String.join("; ", podProblems));
        }
        if (ready < wanted || streaming < wanted - 1) {
            return Outcome.reconciling(Reasons.WAITING_FOR_REPLICAS,
                    ready + "/" + wanted + " instances ready, " + streaming + "/" + (wanted - 1) + " replicas streaming");
        }
        if (standby) {
            recheck.accept(StandbyReplication.LOOK_AGAIN);
            return Outcome.ready(Reasons.STANDBY, StandbyReplication.summary(cluster, status, wanted)).withPhase(Reasons.STANDBY);
        }
        return Outcome.ready(Reasons.READY, wanted + " instance(s) ready, primary answers (PostgreSQL " + status.getServerVersion() + ")");
    }

    /** A Warning for a volume problem, once per problem: not when the recorded status.storage.problem already says it. */
    private void storageWarning(PostgresCluster cluster, String reason, String problem) {
        var recorded = cluster.getStatus() == null ? null : cluster.getStatus().getStorage();
        if (problem != null && (recorded == null || !problem.equals(recorded.getProblem()))) {
            events.warning(cluster, reason, problem);
        }
    }

    /** spec.storage.autoGrow: the primary's data against the volumes' size; grown now when past the threshold (VolumeAutoGrow). */
    private void autoGrow(PostgresCluster cluster, PostgresClusterStatus status, Connection c, ManagedClusterResources resources) throws SQLException {
        var grow = cluster.getSpec().getStorage() == null ? null : cluster.getSpec().getStorage().getAutoGrow();
        if (grow == null || status.getStorage() == null) {
            return;
        }
        VolumeAutoGrow.Verdict verdict = VolumeAutoGrow.judge(grow, status.getStorage().getSize(), VolumeAutoGrow.used(c));
        String from = status.getStorage().getSize();
        if (verdict.size() != null) {
            resources.growVolumes(cluster, verdict.size());
            if (resources.storage().getProblem() != null) {
                // refused (the StorageClass cannot expand): the volumes keep their size, and say why
                status.getStorage().setProblem(resources.storage().getProblem());
                storageWarning(cluster, "VolumeExpansionRefused", resources.storage().getProblem());
            } else {
                status.setStorage(resources.storage());
                events.normal(cluster, "VolumeGrown", "Growing the volumes from " + from + " to " + verdict.size() + " (spec.storage.autoGrow): "
                        + VolumeAutoGrow.percent(verdict.usedBytes(), VolumeAutoGrow.bytes(from)) + "% of " + from + " used");
            }
        } else if (verdict.full() != null && status.getStorage().getProblem() == null) {
            status.getStorage().setProblem(verdict.full());
            storageWarning(cluster, "VolumeFilling", verdict.full());
        }
        status.getStorage().setUsedBytes(verdict.usedBytes());
    }

    /**
     * A new server certificate is served after a reload, once the kubelet has put it into every instance
     * (see ServedCertificate); a first start needs none, it loads the files it finds.
     */
    private Outcome reloadRenewedCertificate(PostgresCluster cluster, ClusterTlsSecrets.Result tls, PostgresClusterStatus status)
            throws SQLException, NotReachableException {
        String serial = status.getTls().getSerial();
        if (serial.equals(status.getTls().getReloadedSerial())) {
            return null;
        }
        if (status.getTls().getReloadedSerial() != null) {
            for (int i = 0; i < cluster.getSpec().getInstances(); i++) {
                try (Connection c = PgConnections.open(connections.instance(cluster, i))) {
                    if (!ServedCertificate.fileHolds(c, tls.server())) {
                        return Outcome.reconciling(Reasons.APPLYING_PARAMETERS, "Waiting for the renewed server certificate to reach " + ClusterNames.pod(cluster, i));
                    }
                }
            }
            reloadAll(cluster);
            events.normal(cluster, "CertificateReloaded", "Every instance serves the server certificate " + serial);
        }
        status.getTls().setReloadedSerial(serial);
        return null;
    }

    /** Reloads every instance; a replica that is down picks the file up when it starts. */
    private void reloadAll(PostgresCluster cluster) {
        for (int i = 0; i < cluster.getSpec().getInstances(); i++) {
            try (Connection c = instances.open(cluster, ClusterNames.pod(cluster, i))) {
                if (c != null) {
                    ServerQueries.reload(c);
                }
            } catch (SQLException e) {
                LOG.infof("reload of instance %d skipped: %s", i, Messages.firstLine(e));
            }
        }
    }

    private static void recordServer(PostgresClusterStatus status, ServerState state) {
        status.setPrimaryReachable(true);
        status.setServerVersion(state.version());
        List<ReplicaStatus> replicas = new ArrayList<>();
        state.replicas().forEach(r -> replicas.add(new ReplicaStatus(r.name(), r.state(), r.lagBytes() / MIB)));
        status.setReplicas(replicas);
    }
}
