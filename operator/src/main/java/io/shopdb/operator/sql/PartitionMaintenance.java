package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * One maintenance pass over one table on a connection to its database: read, plan, apply the partitions
 * ahead (with any row moves) in one transaction, then the retention in another, then read again for the
 * report. At steady state that is the four catalog reads and nothing else.
 */
public final class PartitionMaintenance {
    /**
     * @param applied  the steps that committed
     * @param report   the table after the pass; null when the table does not exist
     * @param failure  the transaction that failed (rolled back), or null
     */
    public record Result(List<SqlStep> applied, PartitionPlan.Report report, SQLException failure) {}

    private PartitionMaintenance() {}

    public static Result run(Connection c, DesiredPartitions desired, LocalDate today)
            throws SQLException, PartitionCatalog.UnsupportedTableException {
        ActualPartitions actual = read(c, desired);
        if (actual == null) {
            return new Result(List.of(), null, null);
        }
        PartitionPlan.Plan plan = PartitionPlan.plan(desired, actual, today);
        if (plan.isEmpty()) {
            return new Result(List.of(), PartitionPlan.report(desired, actual, today), null);
        }
        List<SqlStep> applied = new ArrayList<>();
        SQLException failure = null;
        for (List<SqlStep> transaction : List.of(plan.ahead(), plan.retention())) {
            try {
                SqlSteps.apply(c, transaction);
                applied.addAll(transaction.stream().filter(s -> !s.sql().startsWith("SET LOCAL ")).toList());
            } catch (SQLException e) {
                failure = e;
                break; // the retention waits until the partitions ahead are in place
            }
        }
        ActualPartitions after = read(c, desired);
        return new Result(List.copyOf(applied), after == null ? null : PartitionPlan.report(desired, after, today), failure);
    }

    private static ActualPartitions read(Connection c, DesiredPartitions desired) throws SQLException, PartitionCatalog.UnsupportedTableException {
        return PartitionCatalog.read(c, desired.schema(), desired.table(), desired.interval());
    }
}
