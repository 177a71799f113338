package io.shopdb.operator.database;

import io.shopdb.operator.api.v1alpha1.PartitionSpec;
import io.shopdb.operator.api.v1alpha1.PartitionStatus;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.sql.DesiredPartitions;
import io.shopdb.operator.sql.PartitionCatalog;
import io.shopdb.operator.sql.PartitionInterval;
import io.shopdb.operator.sql.PartitionMaintenance;
import io.shopdb.operator.sql.PartitionPlan;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.sql.SqlStep;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * spec.partitions of a PostgresDatabase: one maintenance pass per table on every re-check (see
 * sql/PartitionPlan), status.partitions from what the catalog shows afterwards. A table that does not exist yet
 * is not an error: the database must be Ready for the migration that creates it to run.
 */
@ApplicationScoped
public class DatabasePartitions {
    static final String INVALID_TABLE = "InvalidPartitionedTable";
    static final String FAILED = "PartitionMaintenanceFailed";
    /** SQLSTATE classes that pass by themselves: connection, transaction rollback, lock not available, cancel/shutdown. */
    private static final Set<String> TRANSIENT = Set.of("08", "40", "55", "57");

    /** What the pass applied, and the outcome when it is not Ready (null when it is). */
    public record Result(List<String> applied, Outcome problem) {}

    private volatile Clock clock = Clock.systemUTC();

    /** Tests let months pass by moving this clock; the operator runs on UTC. */
    public void useClock(Clock clock) {
        this.clock = clock;
    }

    public Result maintain(PostgresDatabase db, ClusterAccess.Target target, String database, PostgresDatabaseStatus status) throws SQLException {
        List<PartitionSpec> specs = db.getSpec().getPartitions();
        if (specs == null || specs.isEmpty()) {
            status.setPartitions(null);
            return new Result(List.of(), null);
        }
        List<DesiredPartitions> desired = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                desired.add(desired(specs.get(i), "spec.partitions[" + i + "]"));
            }
        } catch (IllegalArgumentException e) {
            status.setPartitions(null);
            return new Result(List.of(), Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage()));
        }
        LocalDate today = LocalDate.now(clock);
        List<String> applied = new ArrayList<>();
        List<PartitionStatus> tables = new ArrayList<>();
        Outcome problem = null;
        try (Connection c = target.open(database)) {
            for (DesiredPartitions d : desired) {
                PartitionStatus table = new PartitionStatus();
                table.setTable(d.qualifiedName());
                tables.add(table);
                try {
                    PartitionMaintenance.Result r = PartitionMaintenance.run(c, d, today);
                    r.applied().stream().map(SqlStep::description).forEach(applied::add);
                    report(table, r.report());
                    if (r.failure() != null) {
                        String message = "partition maintenance of " + d.qualifiedName() + " failed: " + Messages.firstLine(r.failure());
                        table.setMessage(Messages.bounded(message, 1024));
                        problem = problem != null ? problem : transientFailure(r.failure())
                                ? Outcome.reconciling(FAILED, message + " (will retry)")
                                : Outcome.stalledOnInputs(FAILED, message + "; fix the cause in the database, the next re-check retries");
                    }
                } catch (PartitionCatalog.UnsupportedTableException e) {
                    table.setExists(true);
                    table.setMessage(Messages.bounded(e.getMessage(), 1024));
                    problem = problem != null ? problem : Outcome.stalledOnInputs(INVALID_TABLE, "spec.partitions: " + e.getMessage());
                }
            }
        }
        status.setPartitions(tables);
        return new Result(applied, problem);
    }

    /** spec item → sql/ desired state; throws with the field's path. */
    public static DesiredPartitions desired(PartitionSpec spec, String field) {
        String table = spec.getTable();
        int dot = table == null ? -1 : table.indexOf('.');
        if (dot < 0 || table.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException(field + ".table: write it as schema.table, e.g. sales.orders");
        }
        if (spec.getInterval() == null) {
            throw new IllegalArgumentException(field + ".interval: day, week or month is required");
        }
        var retention = spec.getRetention();
        try {
            return new DesiredPartitions(table.substring(0, dot), table.substring(dot + 1),
                    PartitionInterval.valueOf(spec.getInterval().name().toUpperCase(java.util.Locale.ROOT)),
                    spec.getPremake() == null ? 3 : spec.getPremake(),
                    retention == null ? null : retention.getKeep(),
                    retention != null && retention.getAction() == PartitionSpec.RetentionAction.drop,
                    spec.getDefaultRows() != PartitionSpec.DefaultRows.keep);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static void report(PartitionStatus table, PartitionPlan.Report r) {
        table.setExists(r != null);
        if (r == null) {
            table.setMessage("the table does not exist yet; partitions are created at the first re-check after it does");
            return;
        }
        table.setCurrent(r.coversToday());
        table.setAhead(r.ahead());
        table.setNewestBound(r.newestBound());
        table.setBehind(r.behind());
        table.setOldestBound(r.oldestBound());
        table.setDefaultRows(r.defaultRows());
        table.setMessage(r.notes().isEmpty() ? null : Messages.bounded(String.join("; ", r.notes()), 1024));
    }

    private static boolean transientFailure(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.length() < 2 || TRANSIENT.contains(state.substring(0, 2));
    }
}
