package io.shopdb.operator.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides, one metrics pass at a time, which PostgresClusters are gone, so their JDBC pools may be retired. Closing
 * a pool ends the sessions borrowed from it (in-flight DDL, a Flyway migration), so an absence must be certain:
 * <ul>
 *   <li>a read that cannot be trusted ({@code null}: informer not started, not synced, not watching, or the read
 *       failed) decides nothing, and does not count as an absence;</li>
 *   <li>a cluster is gone only after {@value #ABSENT_PASSES} consecutive trusted reads without it (a transient
 *       gap in one read, e.g. during a relist, retires nothing); a trusted read with it starts the count again;</li>
 *   <li>only clusters this tracker saw in a trusted read can be gone: it never names a pool owner it knows nothing
 *       about (a cluster created after the read).</li>
 * </ul>
 * Pure and single-threaded (the metrics thread), so it is tested on its own.
 */
final class GoneClusters {
    static final int ABSENT_PASSES = 2;

    /** Clusters (namespace/name) seen in a trusted read and not yet reported gone, with their consecutive absences. */
    private final Map<String, Integer> absences = new HashMap<>();

    /**
     * One pass. {@code present}: the namespace/name of every cached cluster from a trusted read, or null when the
     * read cannot be trusted. Returns the clusters gone as of this pass; each is reported once.
     */
    Set<String> pass(Set<String> present) {
        if (present == null) {
            return Set.of();
        }
        Set<String> gone = new HashSet<>();
        absences.replaceAll((key, count) -> present.contains(key) ? 0 : count + 1);
        absences.entrySet().removeIf(e -> {
            if (e.getValue() >= ABSENT_PASSES) {
                gone.add(e.getKey());
                return true;
            }
            return false;
        });
        present.forEach(key -> absences.putIfAbsent(key, 0));
        return gone;
    }
}
