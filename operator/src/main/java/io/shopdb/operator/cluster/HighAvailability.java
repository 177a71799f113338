package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.access.SwitchoverStarting;
import io.shopdb.operator.access.PrimaryChanged;
import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.ReplicaStatus;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.sql.ReplicationQueries;
import io.shopdb.operator.sql.ReplicationQueries.Position;
import io.shopdb.operator.runtime.OperatorKilled;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Who is primary, and moving it: failover, switchover, fencing, and pod restarts in an order that never
 * leaves the cluster without a primary for a restart. The declared primary is the ConfigMap key
 * {@link ClusterObjects#PRIMARY_KEY} (bootstrap.sh follows it at every start); status.currentPrimary is the
 * instance that runs as primary and that -rw selects. A change goes in two phases, as in CloudNativePG:
 * <ol>
 *   <li>fence: declare the new primary, take the primary label off every pod (-rw has no endpoint), and
 *       stop the former primary if it still answers as one (its pod is deleted; it restarts as a replica);</li>
 *   <li>promote the target (pg_promote, which replays every received WAL record first) and label it.</li>
 * </ol>
 * A failover promotes the most advanced replica that is safe: one that was streaming (asynchronous mode),
 * or, in synchronous mode (ANY n of m), the most advanced of at least m - n + 1 replicas read, one of which
 * must hold every acknowledged commit. Otherwise it is refused and reported.
 */
@ApplicationScoped
public class HighAvailability {
    private static final Logger LOG = Logger.getLogger(HighAvailability.class);
    /** How soon to look again while a primary change is under way (pod events alone do not cover WAL state). */
    static final Duration SOON = Duration.ofMillis(200);
    static final String PHASE_FAILING_OVER = "FailingOver";
    static final String PHASE_SWITCHING_OVER = "SwitchingOver";

    @Inject KubernetesClient client;
    @Inject InstanceConnections instances;
    @Inject PrimaryProbe probe;
    @Inject NodeDrains drains;
    @Inject EventRecorder events;
    @Inject Event<PrimaryChanged> primaryChanges;
    @Inject Event<SwitchoverStarting> switchoverStarting;

    /** Pods this operator deleted (by uid), so a slow API or kubelet does not get the same delete twice. */
    private final Set<String> deletedPods = ConcurrentHashMap.newKeySet();
    /** When the operator first saw a primary's pod missing (namespace/cluster/pod): spec.failoverDelay counts from it. */
    private final Map<String, Instant> lostSince = new ConcurrentHashMap<>();
    /** The pod uid of each primary while it last answered (namespace/cluster/pod): its process is gone once that pod is. */
    private final Map<String, String> upUids = new ConcurrentHashMap<>();
    /** Each primary's postgres restart count when last seen up (namespace/cluster/pod): a restart since is another process. */
    private final Map<String, Integer> restartsWhenUp = new ConcurrentHashMap<>();
    /** When this operator first looked at a lost primary to fail it over, and last saw a replica still receiving from it. */
    private final Map<String, Instant> firstLooks = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastStreaming = new ConcurrentHashMap<>();
    /**
     * The replicas that were streaming while each cluster's primary last answered (namespace/cluster). The status may
     * be rewritten after the primary stopped answering (a partition drops the replicas' streams at the same moment),
     * and "streaming when the primary was last seen" is what makes an asynchronous replica safe to promote.
     */
    private final Map<String, Set<String>> streamingWhileUp = new ConcurrentHashMap<>();

    /** A new operator process would not remember the pods it deleted: neither does a restarted instance. */
    void forget(@Observes OperatorKilled killed) {
        deletedPods.clear();
        lostSince.clear();
        upUids.clear();
        restartsWhenUp.clear();
        firstLooks.clear();
        lastStreaming.clear();
        streamingWhileUp.clear();
    }

    /**
     * A hung primary's pod is deleted with this grace period: its preStop hook (a clean shutdown) cannot work on a
     * server that answers nothing, and each second of grace is a second without writes.
     */
    static final long FENCE_GRACE_SECONDS = 1;

    /** How long an in-place primary restart may take before failover applies again. */
    static final Duration PRIMARY_RESTART_GRACE = Duration.ofMinutes(2);

    /** The verdict of the step: an outcome to stop at (null: carry on) and when to look again. */
    public record Step(Outcome outcome, Duration recheck) {
        static Step proceed() { return new Step(null, null); }
        static Step stop(Outcome outcome, Duration recheck) { return new Step(outcome, recheck); }
    }

    /** The declared primary: the ConfigMap's key when written, else the status, else ordinal 0 (a new cluster). */
    public ClusterObjects.Declared declared(PostgresCluster c, PostgresClusterStatus status) {
        ConfigMap cm = client.configMaps().inNamespace(c.getMetadata().getNamespace()).withName(ClusterNames.configMap(c)).get();
        Map<String, String> data = cm == null || cm.getData() == null ? Map.of() : cm.getData();
        String primary = data.get(ClusterObjects.PRIMARY_KEY);
        if (primary == null) {
            primary = status.getTargetPrimary() != null ? status.getTargetPrimary()
                    : status.getCurrentPrimary() != null ? status.getCurrentPrimary() : ClusterNames.pod(c, 0);
        }
        boolean initialized = "true".equals(data.get(ClusterObjects.INITIALIZED_KEY)) || Boolean.TRUE.equals(status.getPrimaryReachable());
        return new ClusterObjects.Declared(primary, initialized, ClusterObjects.PrimaryRestart.decode(data.get(ClusterObjects.PRIMARY_RESTART_KEY)));
    }

    public Step step(PostgresCluster c, PostgresClusterStatus status, ClusterPods pods, ClusterObjects.Declared declared) {
        String current = status.getCurrentPrimary() != null ? status.getCurrentPrimary() : declared.primary();
        status.setCurrentPrimary(current);
        status.setTargetPrimary(declared.primary());
        if (StandbyReplication.involved(c, status)) {
            // a standby's primary is read-only by design: no failover, switchover or restart roll may promote one here
            // (StandbyReplication promotes the cluster when spec.standby says so), and the probe would call it lost
            probe.watch(c, null);
            labelRoles(c, pods, current);
            return Step.proceed();
        }
        if (!declared.primary().equals(current)) {
            // a change under way (possibly begun before an operator restart): finish it
            probe.watch(c, null);
            return transition(c, status, pods, declared.primary(), current, PHASE_SWITCHING_OVER.equals(status.getPhase()));
        }
        // up: its pod is Ready and it answers the operator's own probe (a hung primary can stay Ready for a while)
        boolean up = pods.ready(current) && !probe.lost(c, current);
        probe.watch(c, pods.ready(current) ? current : null); // kept while lost, so the verdict holds until the failover
        labelRoles(c, pods, current);
        fenceStrays(c, pods, current);
        ClusterObjects.PrimaryRestart restart = declared.restart();
        if (restart != null && pods.ready(current) && !restart.uid().equals(pods.uid(current))) {
            declare(c, status, current); // back on its new pod: the record goes
        }
        if (up) {
            String primaryKey = ClusterConnections.key(c) + "/" + current;
            lostSince.remove(primaryKey);
            upUids.put(primaryKey, pods.uid(current));
            Integer restarts = PrimaryLease.restarts(pods.get(current).orElse(null));
            if (restarts != null) {
                restartsWhenUp.put(primaryKey, restarts);
            }
            streamingWhileUp.put(ClusterConnections.key(c), streamingReplicas(status));
            firstLooks.remove(primaryKey);
            lastStreaming.remove(primaryKey);
        }
        if (c.getSpec().getInstances() < 2 || up) {
            if (up && c.getSpec().getInstances() >= 2) {
                String node = pods.nodeName(current);
                drains.primaryOn(c, node);
                String away = drains.cordoned(node) ? drainTarget(status, pods, current) : null;
                if (away != null) {
                    return switchover(c, status, pods, current, away, "its node " + node + " is cordoned (being drained)");
                }
            }
            String wanted = c.getSpec().getPrimary();
            if (wanted != null && !wanted.equals(current) && up && !drains.cordoned(pods.nodeName(wanted))) {
                return switchover(c, status, pods, current, wanted, "spec.primary");
            }
            return up || c.getSpec().getInstances() < 2 ? restarts(c, status, pods, current) : Step.proceed();
        }
        if (!declared.initialized()) {
            return Step.proceed(); // a new cluster's first primary is still starting: nothing to fail over from
        }
        if (restart != null && Instant.now().isBefore(restart.until())) {
            return Step.stop(Outcome.reconciling(Reasons.ROLLING_RESTART, "Waiting for the primary " + current
                    + " to come back from its restart"), Duration.ofSeconds(1));
        }
        Instant since = pods.notReadySince(current);
        if (since == null) {
            // the pod object is gone (node lost, deleted): the delay counts from when the operator first saw that
            since = lostSince.computeIfAbsent(ClusterConnections.key(c) + "/" + current, k -> Instant.now());
        }
        Duration delay = Duration.ofSeconds(c.getSpec().getFailoverDelay() == null ? 0 : c.getSpec().getFailoverDelay());
        Duration down = Duration.between(since, Instant.now());
        if (down.compareTo(delay) < 0) {
            return Step.stop(Outcome.reconciling(Reasons.WAITING_FOR_INSTANCES, "The primary " + current + " is not ready for "
                    + down.toSeconds() + " s; failover after " + delay.toSeconds() + " s (spec.failoverDelay)"), delay.minus(down));
        }
        if (pods.ready(current)) {
            // Lost to the operator's probe while its pod is Ready: hung, and its open sessions may still commit (only
            // its postmaster may be stuck) and stream to replicas. It is stopped before anything is chosen or
            // promoted, so the replicas' positions are read once its history can no longer grow.
            deletePod(c, pods, current, "fence the primary " + current + ", which does not answer though its pod is Ready", FENCE_GRACE_SECONDS);
            return Step.stop(Outcome.reconciling(Reasons.FAILING_OVER, "Stopping the primary " + current
                    + ", which does not answer, before promoting a replica").withPhase(PHASE_FAILING_OVER), SOON);
        }
        return failover(c, status, pods, current);
    }

    private Step failover(PostgresCluster c, PostgresClusterStatus status, ClusterPods pods, String lost) {
        String lostKey = ClusterConnections.key(c) + "/" + lost;
        lostSince.remove(lostKey);
        Map<String, Position> candidates = new HashMap<>();
        Set<String> silent = new java.util.TreeSet<>();
        for (Pod p : pods.all()) {
            String name = p.getMetadata().getName();
            if (!name.equals(lost) && pods.ready(name)) {
                Position pos = instances.position(c, name);
                if (pos == null) {
                    silent.add(name);
                } else if (pos.inRecovery()) {
                    candidates.put(name, pos);
                }
            }
        }
        var sync = c.getSpec().getSynchronous();
        Set<String> streamed = streamingWhileUp.getOrDefault(ClusterConnections.key(c), streamingReplicas(status));
        var verdict = FailoverDecision.decide(lost, candidates, sync == null ? null : sync.getNumber(), c.getSpec().getInstances() - 1, streamed, silent,
                probe.lastWalLsn(c, lost));
        Instant firstLook = firstLooks.computeIfAbsent(lostKey, k -> Instant.now());
        if (verdict instanceof FailoverDecision.Wait wait) {
            lastStreaming.put(lostKey, Instant.now());
            // the lost primary still sends WAL: its pod is deleted meanwhile, so its kubelet stops it
            deletePod(c, pods, lost, "fence the primary " + lost + ": it is not ready but still sends WAL", FENCE_GRACE_SECONDS);
            String waitingFor = wait.stillReceiving().isEmpty() ? "" : String.join(", ", wait.stillReceiving())
                    + " to stop receiving WAL from " + lost + ", which may still be running";
            String silentOnes = wait.silent().isEmpty() ? "" : String.join(", ", wait.silent())
                    + " (Ready, not answering: it may still follow " + lost + ") to answer or stop being Ready";
            return Step.stop(Outcome.reconciling(Reasons.FAILING_OVER, "Waiting for " + waitingFor
                    + (waitingFor.isEmpty() || silentOnes.isEmpty() ? "" : ", and for ") + silentOnes).withPhase(PHASE_FAILING_OVER), SOON);
        }
        if (verdict instanceof FailoverDecision.Refuse refuse) {
            String message = "The primary " + lost + " is not ready and no replica is safe to promote: " + refuse.why()
                    + ". Waiting for the primary to return or a safe replica to appear";
            var ready = Conditions.find(status, Conditions.READY);
            if (ready == null || !Reasons.FAILOVER_REFUSED.equals(ready.getReason())) {
                events.warning(c, Reasons.FAILOVER_REFUSED, message);
            }
            return Step.stop(Outcome.reconciling(Reasons.FAILOVER_REFUSED, message), Duration.ofSeconds(2));
        }
        var chosen = (FailoverDecision.Promote) verdict;
        // Never two primaries: unless its process is known to be gone, the lost primary may only be cut off from the
        // operator and still serve clients; it fences itself once its lease ran out (guard.sh), so wait for that.
        String lostUid = upUids.getOrDefault(lostKey, pods.uid(lost));
        if (!PrimaryLease.stopped(pods.get(lost).orElse(null), lostUid, restartsWhenUp.get(lostKey))) {
            Instant fencedBy = PrimaryLease.selfFencedBy(probe.leaseRenewedBy(c, lost), lastStreaming.get(lostKey), firstLook);
            if (Instant.now().isBefore(fencedBy)) {
                return Step.stop(Outcome.reconciling(Reasons.FAILING_OVER, "Waiting until " + fencedBy.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                        + " to promote " + chosen.instance() + ": by then " + lost + ", which may still run cut off from the operator, has"
                        + " fenced itself (its lease ran out)").withPhase(PHASE_FAILING_OVER), Duration.between(Instant.now(), fencedBy));
            }
        }
        firstLooks.remove(lostKey);
        lastStreaming.remove(lostKey);
        LOG.infof("failover of %s: primary %s lost, promoting %s (WAL position %d)", c.getMetadata().getName(), lost, chosen.instance(), chosen.lsn());
        events.warning(c, Reasons.FAILING_OVER, "The primary " + lost + " is not ready; promoting " + chosen.instance()
                + ", the most advanced safe replica");
        declare(c, status, chosen.instance());
        return transition(c, status, pods, chosen.instance(), lost, false);
    }

    /** The replicas the status shows streaming. */
    private static Set<String> streamingReplicas(PostgresClusterStatus status) {
        return status.getReplicas() == null ? Set.of() : status.getReplicas().stream()
                .filter(r -> "streaming".equals(r.getState())).map(ReplicaStatus::getName).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Where the primary goes when its node is drained: the lowest-numbered ready replica that was streaming and
     * whose node is not cordoned too; null when there is none (the drain then waits on the primary's budget).
     */
    private String drainTarget(PostgresClusterStatus status, ClusterPods pods, String current) {
        Set<String> streaming = streamingReplicas(status);
        return pods.all().stream().map(p -> p.getMetadata().getName())
                .filter(n -> !n.equals(current) && pods.ready(n) && streaming.contains(n) && !drains.cordoned(pods.nodeName(n)))
                .min(Comparator.comparingInt(ClusterNames::ordinal)).orElse(null);
    }

    private Step switchover(PostgresCluster c, PostgresClusterStatus status, ClusterPods pods, String current, String target, String why) {
        Position t = pods.ready(target) ? instances.position(c, target) : null;
        if (t == null || !t.inRecovery() || !t.streaming()) {
            return Step.stop(Outcome.reconciling(Reasons.SWITCHING_OVER, "Switchover to " + target + " (" + why
                    + ") waits until it is ready and streaming from " + current), Duration.ofSeconds(2));
        }
        // a checkpoint now keeps the shutdown checkpoint, and so the write pause, short
        try (Connection conn = instances.open(c, current)) {
            if (conn != null) {
                ReplicationQueries.checkpoint(conn);
            }
        } catch (SQLException e) {
            LOG.debugf("checkpoint before switchover skipped: %s", e.getMessage());
        }
        events.normal(c, Reasons.SWITCHING_OVER, "Switching over from " + current + " to " + target + " (" + why + ")");
        switchoverStarting.fire(new SwitchoverStarting(c.getMetadata().getNamespace(), c.getMetadata().getName(), current, target));
        status.setPhase(PHASE_SWITCHING_OVER);
        declare(c, status, target);
        return transition(c, status, pods, target, current, true);
    }

    /**
     * Both kinds of change after the new primary was declared: fence the former one, then promote. A planned
     * one also waits until the target's WAL receiver stopped: the former primary's clean shutdown ends only
     * after its WAL senders saw every record flushed by the connected replicas, so the target then has all.
     */
    private Step transition(PostgresCluster c, PostgresClusterStatus status, ClusterPods pods, String target, String former, boolean planned) {
        String reason = planned ? Reasons.SWITCHING_OVER : Reasons.FAILING_OVER;
        String phase = planned ? PHASE_SWITCHING_OVER : PHASE_FAILING_OVER;
        labelRoles(c, pods, null);
        Position old = instances.position(c, former);
        if (old != null && !old.inRecovery()) {
            deletePod(c, pods, former, "fence the former primary " + former + ": it restarts as a replica of " + target);
            return Step.stop(Outcome.reconciling(reason, "Stopping the former primary " + former + " before promoting " + target).withPhase(phase), SOON);
        }
        if (old == null && !planned && pods.ready(former)) {
            // It does not answer (hung, or cut off from the operator), yet its kubelet still calls it Ready and its
            // clients may still reach it: its pod is deleted so the kubelet stops it (preStop, then SIGKILL after the
            // grace period). A pod already not ready (crashed, its node lost) is the kubelet's to restart: its
            // bootstrap reads the declared primary and comes back as a replica.
            deletePod(c, pods, former, "fence the former primary " + former + ", which does not answer", FENCE_GRACE_SECONDS);
        }
        Position t = pods.ready(target) ? instances.position(c, target) : null;
        if (t == null) {
            return Step.stop(Outcome.reconciling(reason, "Waiting for " + target + " to answer, to promote it").withPhase(phase), SOON);
        }
        if (t.inRecovery()) {
            if (planned && t.streaming()) {
                return Step.stop(Outcome.reconciling(reason, "Waiting for " + target + " to receive the last WAL of " + former).withPhase(phase), SOON);
            }
            try (Connection conn = instances.open(c, target)) {
                if (conn == null || !ReplicationQueries.promote(conn, 60)) {
                    return Step.stop(Outcome.reconciling(reason, "The promotion of " + target + " has not finished").withPhase(phase), SOON);
                }
                // the new timeline reaches the control file with the next checkpoint; pg_rewind of the former
                // primary (PostgreSQL 15) reads it from there
                ReplicationQueries.checkpoint(conn);
            } catch (SQLException e) {
                return Step.stop(Outcome.reconciling(reason, "Promoting " + target + " failed, retrying: " + e.getMessage()).withPhase(phase), SOON);
            }
        }
        status.setCurrentPrimary(target);
        status.setLastPrimaryChange(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        if (!planned) {
            status.setFailovers((status.getFailovers() == null ? 0 : status.getFailovers()) + 1);
        }
        labelRoles(c, pods, target);
        primaryChanges.fire(new PrimaryChanged(c.getMetadata().getNamespace(), c.getMetadata().getName(), former, target, planned));
        events.normal(c, planned ? "SwitchedOver" : "FailedOver", target + " is the primary now (was " + former + ")");
        LOG.infof("%s: %s is the primary now (was %s)", c.getMetadata().getName(), target, former);
        return Step.proceed();
    }

    /** A pod other than the primary that answers as a primary (e.g. restarted with a stale declaration) is stopped. */
    private void fenceStrays(PostgresCluster c, ClusterPods pods, String primary) {
        for (Pod p : pods.all()) {
            String name = p.getMetadata().getName();
            if (!name.equals(primary) && pods.ready(name)) {
                Position pos = instances.position(c, name);
                if (pos != null && !pos.inRecovery()) {
                    deletePod(c, pods, name, "fence " + name + ": it runs as a primary but " + primary + " is the primary");
                }
            }
        }
    }

    /** Replicas first, then a switchover, for pods on an older template (OnDelete StatefulSet). */
    private Step restarts(PostgresCluster c, PostgresClusterStatus status, ClusterPods pods, String primary) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(c.getMetadata().getNamespace()).withName(ClusterNames.statefulSet(c)).get();
        if (sts == null || sts.getStatus() == null || sts.getStatus().getUpdateRevision() == null) {
            return Step.proceed();
        }
        if (sts.getStatus().getObservedGeneration() == null || sts.getStatus().getObservedGeneration() < sts.getMetadata().getGeneration()) {
            return Step.stop(Outcome.reconciling(Reasons.ROLLING_RESTART, "Waiting for the StatefulSet controller to see the new pod template"),
                    Duration.ofSeconds(1));
        }
        String revision = sts.getStatus().getUpdateRevision();
        Set<String> streaming = status.getReplicas() == null ? Set.of() : status.getReplicas().stream()
                .filter(r -> "streaming".equals(r.getState())).map(ReplicaStatus::getName).collect(Collectors.toSet());
        List<ParameterRollout.Instance> list = new ArrayList<>();
        for (int i = 0; i < c.getSpec().getInstances(); i++) {
            String name = ClusterNames.pod(c, i);
            // a pod not (yet) recreated counts as not ready, so the next restart waits for it
            boolean exists = pods.get(name).isPresent();
            list.add(new ParameterRollout.Instance(name, pods.ready(name), !exists || revision.equals(pods.revision(name)), streaming.contains(name)));
        }
        boolean primaryFirst = false;
        if (list.stream().anyMatch(i -> !i.current())) {
            try (Connection conn = instances.open(c, primary)) {
                primaryFirst = conn != null && ParameterRollout.lowersHotStandbySetting(PostgresParameters.forCluster(c),
                        ReplicationQueries.hotStandbySettings(conn));
            } catch (SQLException e) {
                return Step.proceed(); // the SQL part below reports an unreachable primary
            }
        }
        ParameterRollout.Restart next = ParameterRollout.nextRestart(primary, list, primaryFirst);
        return switch (next.action()) {
            case NONE, WAIT -> Step.proceed();
            case RESTART_REPLICA -> {
                deletePod(c, pods, next.pod(), "restart replica " + next.pod() + " for the new pod template");
                yield Step.stop(Outcome.reconciling(Reasons.ROLLING_RESTART, "Restarting " + next.pod()
                        + " for the new pod template: replicas first, then a switchover, then the former primary"), Duration.ofSeconds(1));
            }
            case SWITCH_OVER -> switchover(c, status, pods, primary, next.pod(), "rolling restart: the primary restarts last");
            case RESTART_PRIMARY -> {
                // recorded before the delete: an operator restarted meanwhile must not fail over a restarting primary
                declare(c, status, primary, new ClusterObjects.PrimaryRestart(pods.uid(next.pod()), Instant.now().plus(PRIMARY_RESTART_GRACE)));
                deletePod(c, pods, next.pod(), "restart the primary " + next.pod() + " in place for the new pod template");
                yield Step.stop(Outcome.reconciling(Reasons.ROLLING_RESTART, "Restarting the primary " + next.pod() + " in place"
                        + (list.size() > 1 ? " first: the change lowers a setting replicas must keep at least as high as the primary's" : "")),
                        Duration.ofSeconds(1));
            }
        };
    }

    private void declare(PostgresCluster c, PostgresClusterStatus status, String primary) {
        declare(c, status, primary, null);
    }

    /** Declares {@code primary} in the ConfigMap, with the in-place restart of its pod under way ({@code restart}) or none. */
    private void declare(PostgresCluster c, PostgresClusterStatus status, String primary, ClusterObjects.PrimaryRestart restart) {
        DesiredState.apply(client, c, ClusterObjects.config(c, new ClusterObjects.Declared(primary, true, restart)));
        status.setTargetPrimary(primary);
    }

    /**
     * Deletes a pod once per pod uid. The uid is remembered only after the API server took the DELETE: a failed
     * one (API server unavailable, a conflict) is retried on the next pass, so a former primary is not left running.
     */
    private void deletePod(PostgresCluster c, ClusterPods pods, String name, String why) {
        deletePod(c, pods, name, why, null);
    }

    /** As above; {@code graceSeconds} (null: the pod's own) bounds the kubelet's wait before SIGKILL. */
    private void deletePod(PostgresCluster c, ClusterPods pods, String name, String why, Long graceSeconds) {
        String uid = pods.uid(name);
        if (uid == null || deletedPods.contains(uid)) {
            return;
        }
        LOG.infof("%s: deleting pod %s to %s", c.getMetadata().getName(), name, why);
        try {
            var pod = client.pods().inNamespace(c.getMetadata().getNamespace()).withName(name);
            if (graceSeconds == null) {
                pod.delete();
            } else {
                pod.withGracePeriod(graceSeconds).delete();
            }
            deletedPods.add(uid);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            LOG.warnf("%s: deleting pod %s failed, retried on the next pass: %s", c.getMetadata().getName(), name, e.getMessage());
        }
    }

    /**
     * The -rw and -ro Services select pods by role: the primary label goes to {@code primary} only (none while
     * a change is under way). Labels are patched only when wrong, so a steady state writes nothing.
     */
    void labelRoles(PostgresCluster c, ClusterPods pods, String primary) {
        for (Pod pod : pods.all()) {
            String role = pod.getMetadata().getName().equals(primary) ? ClusterNames.ROLE_PRIMARY : ClusterNames.ROLE_REPLICA;
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels != null && role.equals(labels.get(ClusterNames.ROLE_LABEL))) {
                continue;
            }
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .edit(p -> {
                            Map<String, String> l = new HashMap<>(p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels());
                            l.put(ClusterNames.ROLE_LABEL, role);
                            p.getMetadata().setLabels(l);
                            return p;
                        });
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                LOG.debugf("label of pod %s not set (deleted meanwhile?): %s", pod.getMetadata().getName(), e.getMessage());
                continue;
            }
            // ClusterPods holds copies: keep this pass consistent until the informer brings the new labels
            Map<String, String> updated = new HashMap<>(labels == null ? Map.of() : labels);
            updated.put(ClusterNames.ROLE_LABEL, role);
            pod.getMetadata().setLabels(updated);
        }
    }
}
