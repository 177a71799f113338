package io.shopdb.operator.sql;

import java.util.List;
import java.util.Map;

/**
 * What one health snapshot of a server saw, as plain values (the metrics layer turns them into meters).
 * Counters are the server's cumulative statistics; they reset when the server's statistics do.
 */
public record HealthSnapshot(
        String serverVersion,
        boolean inRecovery,
        int maxConnections,
        Map<String, Long> connectionsByState,
        List<Database> databases,
        double oldestTransactionAgeSeconds,
        List<DeadTuples> worstTables,
        List<Replica> replicas,
        List<Slot> slots) {

    public record Database(String name, long xactCommit, long xactRollback, long deadlocks, long blocksHit,
                           long blocksRead, long sizeBytes, long xidAge) {
        /** Share of block reads served from shared buffers; 1 when nothing was read yet (nothing missed). */
        public double cacheHitRatio() {
            long total = blocksHit + blocksRead;
            return total == 0 ? 1.0 : (double) blocksHit / total;
        }
    }

    public record DeadTuples(String database, String table, long deadTuples) {}

    public record Replica(String name, long lagBytes, double lagSeconds) {}

    public record Slot(String name, long retainedWalBytes) {}
}
