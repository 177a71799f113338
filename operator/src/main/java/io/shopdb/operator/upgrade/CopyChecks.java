package io.shopdb.operator.upgrade;

import io.shopdb.operator.sql.LogicalCopy;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Outcome;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What is checked before anything is copied, so an upgrade that cannot end well does not begin: a target with
 * databases of its own, tables logical replication cannot follow (publishing them would fail UPDATE and DELETE on the
 * live source), large objects (not replicated), and too few replication slots, WAL senders or logical replication
 * workers for one subscription per database plus its table copies.
 */
final class CopyChecks {
    private CopyChecks() {}

    static Outcome before(Connection src, Connection tgt, PgEndpoint sourceAdmin, List<LogicalCopy.SourceDatabase> databases,
                          String s, String t) throws SQLException {
        List<String> own = LogicalCopy.databases(tgt).stream().map(LogicalCopy.SourceDatabase::name).toList();
        if (!own.isEmpty()) {
            return Outcome.stalled("TargetNotEmpty", t + " holds databases of its own (" + String.join(", ", own)
                    + "): the target of an upgrade must be a new cluster, it receives every database of " + s);
        }
        List<String> problems = new ArrayList<>();
        for (LogicalCopy.SourceDatabase db : databases) {
            try (Connection c = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60)) {
                List<String> tables = LogicalCopy.tablesWithoutIdentity(c);
                if (!tables.isEmpty()) {
                    problems.add("tables of " + db.name() + " without a primary key or replica identity (add a primary key, or ALTER TABLE"
                            + " ... REPLICA IDENTITY FULL): " + String.join(", ", tables.subList(0, Math.min(20, tables.size())))
                            + (tables.size() > 20 ? " and " + (tables.size() - 20) + " more" : ""));
                }
                if (LogicalCopy.hasLargeObjects(c)) {
                    problems.add(db.name() + " holds large objects, which logical replication does not carry (move them with a dump and restore)");
                }
            }
        }
        int n = databases.size();
        int slots = LogicalCopy.free(src, "max_replication_slots", "SELECT count(*) FROM pg_replication_slots");
        int senders = LogicalCopy.free(src, "max_wal_senders", "SELECT count(*) FROM pg_stat_replication");
        int workers = Integer.parseInt(LogicalCopy.setting(tgt, "max_logical_replication_workers"));
        if (slots < n + 2) {
            problems.add(s + " has " + slots + " free replication slots, " + (n + 2) + " needed (one per database and two for table copies):"
                    + " raise spec.parameters.max_replication_slots on " + s);
        }
        if (senders < n + 2) {
            problems.add(s + " has " + senders + " free WAL senders, " + (n + 2) + " needed (one per database and two for table copies)");
        }
        if (workers < n + 1) {
            problems.add(t + " allows " + workers + " logical replication workers, " + (n + 1) + " needed (one per database and one to copy"
                    + " tables): raise spec.parameters.max_logical_replication_workers on " + t);
        }
        // re-checked: a primary key added or a parameter raised is noticed without touching the upgrade
        return problems.isEmpty() ? null : Outcome.stalledOnInputs("CannotReplicate", "The upgrade cannot copy " + s + " by logical replication: "
                + String.join("; ", problems));
    }
}
