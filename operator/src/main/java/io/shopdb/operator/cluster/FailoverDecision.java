package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.sql.ReplicationQueries.Position;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The failover rule, apart from the reads that feed it and the Events and promotion that follow: given the replicas
 * that answer (their WAL positions) and what the cluster knew before the primary was lost, wait, refuse, or name the
 * replica to promote. A pure function, so each rule has a unit test (FailoverDecisionTest).
 * <ul>
 *   <li>Wait while any answering replica still receives WAL from the lost primary: it is still running somewhere (a
 *       hung postmaster's sessions and WAL senders go on), and positions read now could be passed by what it sends
 *       next, leaving a replica ahead of the promoted one that could never follow it.</li>
 *   <li>Wait too while a replica whose pod is Ready does not answer: it may be receiving WAL from the lost primary
 *       beyond the operator's reach, and while one does, the lost primary's guard holds on (guard.sh).</li>
 *   <li>Asynchronous: a replica is safe when it was streaming when the primary was last seen, or when it holds the
 *       primary's WAL up to {@link #MAX_ASYNC_LAG_BYTES} of where the primary last answered (a partition may drop the
 *       streams a moment before the operator loses the primary); one far behind may miss much more than the last
 *       moments. The most advanced safe one.</li>
 *   <li>Synchronous (ANY n of m standbys): each acknowledged commit is on n standbys, so among any m - n + 1 of them
 *       one holds it; with at least that many answering, the most advanced has every acknowledged commit. Fewer:
 *       refused, whatever their positions.</li>
 *   <li>Ties go to the lowest ordinal, so the choice does not depend on the order replicas answered in.</li>
 * </ul>
 */
public final class FailoverDecision {
    private FailoverDecision() {}

    /** Asynchronous mode: at most one WAL segment behind the primary's last known position counts as safe. */
    public static final long MAX_ASYNC_LAG_BYTES = 16L * 1024 * 1024;

    /** What to do: exactly one of the three. */
    public sealed interface Verdict permits Wait, Refuse, Promote {}

    /** Replicas still receiving WAL from the lost primary, or Ready and silent: stop it and look again. */
    public record Wait(List<String> stillReceiving, List<String> silent) implements Verdict {}

    /** No replica is safe to promote; the message says why, with the replicas it considered. */
    public record Refuse(String why) implements Verdict {}

    public record Promote(String instance, long lsn) implements Verdict {}

    /**
     * @param lost the primary that is lost
     * @param answering replicas that answered (in recovery), by pod name, with their positions
     * @param synchronousNumber n of ANY n, or null in asynchronous mode
     * @param standbys m, the number of standbys the cluster declares (instances - 1)
     * @param streamingWhenLastSeen replicas whose state was streaming in the status before the primary was lost
     * @param silent replicas whose pods are Ready but that did not answer
     * @param primaryLsn the lost primary's WAL position when it last answered (bytes), null when unknown
     */
    public static Verdict decide(String lost, Map<String, Position> answering, Integer synchronousNumber, int standbys,
                                 Set<String> streamingWhenLastSeen, Set<String> silent, Long primaryLsn) {
        List<String> stillReceiving = answering.entrySet().stream().filter(e -> e.getValue().streaming())
                .map(Map.Entry::getKey).sorted().toList();
        if (!stillReceiving.isEmpty() || !silent.isEmpty()) {
            return new Wait(stillReceiving, silent.stream().sorted().toList());
        }
        Map<String, Position> safe;
        String refusal;
        if (synchronousNumber != null) {
            int needed = standbys - synchronousNumber + 1;
            safe = answering.size() >= needed ? answering : Map.of();
            refusal = "synchronous mode (ANY " + synchronousNumber + " of " + standbys + "): " + answering.size() + " replica(s) answer ("
                    + String.join(", ", answering.keySet().stream().sorted().toList()) + "), at least " + needed
                    + " are needed to be sure one holds every acknowledged commit";
        } else {
            safe = answering.entrySet().stream().filter(e -> streamingWhenLastSeen.contains(e.getKey())
                            || primaryLsn != null && e.getValue().lsn() >= primaryLsn - MAX_ASYNC_LAG_BYTES)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            refusal = "no replica that was streaming from " + lost + " answers (streaming when last seen: "
                    + (streamingWhenLastSeen.isEmpty() ? "none" : String.join(", ", streamingWhenLastSeen.stream().sorted().toList()))
                    + "; answering: " + (answering.isEmpty() ? "none" : String.join(", ", answering.keySet().stream().sorted().toList()))
                    + (primaryLsn == null ? "" : "; none within " + MAX_ASYNC_LAG_BYTES / (1024 * 1024) + " MiB of its last WAL position") + ")";
        }
        return safe.entrySet().stream()
                .max(Comparator.comparingLong((Map.Entry<String, Position> e) -> e.getValue().lsn())
                        .thenComparing(e -> -ClusterNames.ordinal(e.getKey())))
                .<Verdict>map(e -> new Promote(e.getKey(), e.getValue().lsn()))
                .orElse(new Refuse(refusal));
    }
}
