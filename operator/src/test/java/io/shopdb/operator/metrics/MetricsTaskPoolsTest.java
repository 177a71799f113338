package io.shopdb.operator.metrics;

import io.shopdb.operator.access.ClusterConnections;
import jakarta.enterprise.inject.Vetoed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics task closes pools only of clusters known to be gone; an empty or failed cache read closes none. */
class MetricsTaskPoolsTest {
    /** The cache reads the task sees, one per pass (null: not synced / failed). Vetoed: not a bean of the Quarkus tests. */
    @Vetoed
    static final class Reads extends ClusterPresence {
        final List<Set<String>> next = new ArrayList<>();

        @Override
        Set<String> read() {
            return next.remove(0);
        }
    }

    /** Records every retire call. Vetoed likewise. */
    @Vetoed
    static final class Recording extends ClusterConnections {
        final List<Set<String>> retired = new ArrayList<>();

        @Override
        public void retire(Set<String> gone) {
            retired.add(gone);
        }
    }

    final Reads reads = new Reads();
    final Recording connections = new Recording();
    final MetricsTask task = new MetricsTask();

    MetricsTaskPoolsTest() {
        task.presence = reads;
        task.connections = connections;
    }

    private void passes(Set<?>... results) {
        for (Set<?> r : results) {
            @SuppressWarnings("unchecked") Set<String> s = (Set<String>) r;
            reads.next.add(s);
            task.retireGonePools();
        }
    }

    @Test
    void emptyOrFailedReadsCloseNoPool() {
        passes(Set.of("shop/pg"), null, null, Set.of());
        assertEquals(List.of(), connections.retired, "one empty read, and reads that cannot be trusted, close nothing");
    }

    @Test
    void aClusterAbsentFromTwoSyncedReadsLosesOnlyItsOwnPools() {
        passes(Set.of("shop/pg", "shop/other"), Set.of("shop/other"), Set.of("shop/other"));
        assertEquals(List.of(Set.of("shop/pg")), connections.retired, "only the cluster gone from two trusted reads, once");
    }
}
