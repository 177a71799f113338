package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.access.ClusterConnections;
import io.shopdb.operator.agent.protocol.WalNames;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.StandbyStatus;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.ReplicationQueries;
import io.shopdb.operator.sql.StandbyQueries;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * The standby side of a cluster (spec.standby), run on its primary instance before the reconcile writes anything:
 * <ul>
 *   <li>replaying (spec.standby, enabled): the primary instance must be in recovery. One that is not is a cluster being
 *   demoted: its pod is deleted and bootstrap.sh starts it again as a replica of the source, rewound onto the source's
 *   timeline (pg_rewind) rather than copied anew. Otherwise its position against the source's goes to status.standby,
 *   and the reconcile writes nothing (no password rotation, no replication role, no restore point).</li>
 *   <li>promoted (enabled: false, or the block removed) while still in recovery: a source that is reachable and itself
 *   a standby (demoted for a planned move) is replayed to its last position first, so the move loses nothing; then
 *   pg_promote. A source that is still a writable primary is warned about, not waited for: the person promoting may
 *   know it is cut off, and only they can.</li>
 * </ul>
 */
final class StandbyReplication {
    /** A standby's reconcile looks again this often, so status.standby and its metrics stay current. */
    static final Duration LOOK_AGAIN = Duration.ofSeconds(10);
    /** How long pg_promote may take: it replays every received WAL record first. */
    static final int PROMOTE_SECONDS = 60;

    private final KubernetesClient client;
    private final ClusterConnections connections;
    private final EventRecorder events;

    StandbyReplication(KubernetesClient client, ClusterConnections connections, EventRecorder events) {
        this.client = client;
        this.connections = connections;
        this.events = events;
    }

    /** Whether the cluster is, or was until this reconcile, a standby whose primary has not been promoted yet. */
    static boolean involved(PostgresCluster c, PostgresClusterStatus status) {
        if (c.getSpec().followsSource()) {
            return true;
        }
        boolean notPromoted = status.getStandby() != null && status.getStandby().getPromotedAt() == null;
        // enabled: false before anything was observed (a first clone still running, a demotion restarting): still to promote
        return notPromoted || c.getSpec().getStandby() != null && status.getStandby() == null;
    }

    /**
     * @param primary a session on the cluster's primary instance
     * @param opener  opens another one (a lease renewal needs a fresh login)
     * @param source  the source cluster as the informer holds it (null: not found)
     * @return the outcome to stop at (a demotion or promotion under way), or null to go on
     */
    Outcome step(PostgresCluster c, PostgresClusterStatus status, Connection primary, ClusterWalArchive.Opener opener, PostgresCluster source)
            throws SQLException, ClusterConnections.NotReachableException {
        String sourceName = sourceName(c, status);
        StandbyQueries.Replay replay = StandbyQueries.replay(primary);
        SourceRead read = replay.inRecovery() ? read(sourceName, source) : null;
        if (c.getSpec().followsSource()) {
            if (!replay.inRecovery()) {
                return demote(c, status, sourceName);
            }
            status.setStandby(observe(sourceName, replay, read, status.getStandby()));
            return null;
        }
        if (!replay.inRecovery()) {
            markPromoted(status, sourceName);
            return null;
        }
        StandbyStatus observed = observe(sourceName, replay, read, status.getStandby());
        Long behind = observed.getLagBytes();
        StandbyQueries.Source at = read.at();
        if (at != null && at.inRecovery() && behind != null && behind > 0) {
            status.setStandby(observed);
            return Outcome.reconciling(Reasons.PROMOTING, "Replaying what the demoted source " + sourceName + " holds before promoting: at "
                    + replay.replayedLsn() + ", the source at " + at.lsn()).withPhase(Reasons.PROMOTING);
        }
        if (at != null && !at.inRecovery()) {
            events.warning(c, "SourceStillPrimary", "Promoting while the source " + sourceName + " is still a writable primary: both take"
                    + " writes until it is demoted (spec.standby on it) or stopped");
        }
        renewLease(opener); // its lease file is as old as the last time it was a primary: its guard must not fence it
        boolean promoted;
        try (Connection promoting = PgConnections.open(connections.admin(c), 2, PROMOTE_SECONDS + 10)) {
            promoted = ReplicationQueries.promote(promoting, PROMOTE_SECONDS); // it replays what it received first
        }
        renewLease(opener); // the reconciler's probe takes over right after this step
        if (!promoted) {
            status.setStandby(observed);
            return Outcome.reconciling(Reasons.PROMOTING, "Promoting " + status.getCurrentPrimary() + ": still replaying received WAL")
                    .withPhase(Reasons.PROMOTING);
        }
        status.setStandby(observed);
        markPromoted(status, sourceName);
        events.normal(c, "Promoted", "Promoted " + status.getCurrentPrimary() + " (was a standby of " + sourceName + " at "
                + replay.replayedLsn() + "): the cluster takes writes");
        return null;
    }

    /**
     * A primary cluster made a standby: first its status records when (status.standby.demotedAt, which the configuration
     * carries to the instances as the rewind token), then, in a later reconcile, whose apply wrote that token into the
     * ConfigMap, every instance restarts and is rewound onto the source, replicas included, since after a lost region
     * they may hold WAL the source never had (bootstrap.sh rewinds a data directory whose token is older). The status
     * this reconcile started from is the recorded one, so a demotion found in it has reached the ConfigMap.
     */
    private Outcome demote(PostgresCluster c, PostgresClusterStatus status, String sourceName) {
        StandbyStatus before = status.getStandby();
        boolean recorded = before != null && before.getDemotedAt() != null
                && (before.getPromotedAt() == null || Instant.parse(before.getDemotedAt()).isAfter(Instant.parse(before.getPromotedAt())));
        if (!recorded) {
            StandbyStatus s = restarted(sourceName, before);
            s.setDemotedAt(Instant.now().toString());
            status.setStandby(s);
            return Outcome.reconciling(Reasons.DEMOTING, "Demoting to a standby of " + sourceName + ": the instances restart next")
                    .withPhase(Reasons.DEMOTING);
        }
        for (int i = 0; i < c.getSpec().getInstances(); i++) {
            client.pods().inNamespace(c.getMetadata().getNamespace()).withName(io.shopdb.operator.access.ClusterNames.pod(c, i)).delete();
        }
        events.normal(c, Reasons.DEMOTING, "The instances restart as a standby of " + sourceName
                + " (spec.standby): their data is rewound onto the source, not copied anew");
        return Outcome.reconciling(Reasons.DEMOTING, "Restarting the instances as a standby of " + sourceName).withPhase(Reasons.DEMOTING);
    }

    /**
     * The guard (guard.sh) fences a primary whose lease is old and that no replica follows: right after a promotion the
     * lease file is the one from before the cluster was a standby, and its replicas are reconnecting.
     */
    private static void renewLease(ClusterWalArchive.Opener opener) throws SQLException, ClusterConnections.NotReachableException {
        try (Connection c = opener.open()) {
            PrimaryLease.renew(c);
        }
    }

    private static void markPromoted(PostgresClusterStatus status, String sourceName) {
        StandbyStatus s = status.getStandby() != null ? status.getStandby() : new StandbyStatus();
        s.setSource(sourceName);
        s.setStreaming(false);
        s.setLagBytes(null);
        s.setReplayDelaySeconds(null);
        s.setMessage(null);
        if (s.getPromotedAt() == null) {
            s.setPromotedAt(Instant.now().toString());
        }
        status.setStandby(s);
    }

    /** The source: declared, or recorded (a standby whose block was removed before its promotion finished). */
    static String sourceName(PostgresCluster c, PostgresClusterStatus status) {
        if (c.getSpec().getStandby() != null) {
            return c.getSpec().getStandby().getSource().getName();
        }
        return status == null || status.getStandby() == null ? null : status.getStandby().getSource();
    }

    /** The Ready message of a standby: whom it follows and how far behind it is. */
    static String summary(PostgresCluster c, PostgresClusterStatus status, int instances) {
        StandbyStatus s = status.getStandby();
        String source = c.getSpec().getStandby().getSource().getName();
        String where = s == null ? "" : ", replayed up to " + s.getReplayedLsn()
                + (s.getLagBytes() != null ? " (" + s.getLagBytes() + " bytes behind)" : s.getMessage() != null ? " (" + s.getMessage() + ")" : "")
                + (Boolean.TRUE.equals(s.getStreaming()) ? "" : ", not streaming");
        return "Standby of " + source + " (read-only until spec.standby.enabled is false): " + instances + " instance(s) ready" + where;
    }

    /** The source's position, or why there is none (not found; does not answer: its region may be lost). */
    private record SourceRead(StandbyQueries.Source at, String problem) {}

    private SourceRead read(String sourceName, PostgresCluster source) {
        if (source == null) {
            return new SourceRead(null, "The source PostgresCluster " + sourceName + " is not found");
        }
        try (Connection c = PgConnections.open(connections.admin(source), 2, 5)) {
            return new SourceRead(StandbyQueries.source(c), null);
        } catch (SQLException | ClusterConnections.NotReachableException e) {
            return new SourceRead(null, Messages.bounded("The source " + sourceName + " does not answer: " + Messages.firstLine(e), 1024));
        }
    }

    /** status.standby with nothing observed yet: what is recorded (archive folder, demotion) kept. */
    private static StandbyStatus restarted(String sourceName, StandbyStatus before) {
        StandbyStatus s = new StandbyStatus();
        s.setSource(sourceName);
        s.setArchivePrefix(before == null ? null : before.getArchivePrefix());
        s.setDemotedAt(before == null ? null : before.getDemotedAt());
        return s;
    }

    /** status.standby from the primary's replay position and the source's (the recorded archive folder kept). */
    private static StandbyStatus observe(String sourceName, StandbyQueries.Replay replay, SourceRead read, StandbyStatus before) {
        StandbyStatus s = restarted(sourceName, before);
        s.setStreaming(replay.streaming());
        s.setReceivedLsn(replay.receivedLsn());
        s.setReplayedLsn(replay.replayedLsn());
        s.setLastReplayedTime(replay.lastReplayed() == null ? null : replay.lastReplayed().toString());
        s.setMessage(read.problem());
        if (read.at() != null && read.at().lsn() != null && replay.replayedLsn() != null) {
            s.setSourceLsn(read.at().lsn());
            s.setLagBytes(Math.max(0, WalNames.lsn(read.at().lsn()) - WalNames.lsn(replay.replayedLsn())));
        }
        if (s.getLagBytes() == null) {
            return s; // the source does not answer: how late is unknown (not streaming says enough)
        }
        if (s.getLagBytes() == 0) {
            s.setReplayDelaySeconds(0L);
            return s;
        }
        Instant now = Instant.now();
        Instant behindSince = before != null && before.getBehindSince() != null ? Instant.parse(before.getBehindSince()) : now;
        s.setBehindSince(behindSince.toString());
        long delay = Duration.between(behindSince, now).toSeconds();
        if (replay.lastReplayed() != null) {
            delay = Math.min(delay, Duration.between(replay.lastReplayed(), now).toSeconds());
        }
        s.setReplayDelaySeconds(Math.max(0, delay));
        return s;
    }
}
