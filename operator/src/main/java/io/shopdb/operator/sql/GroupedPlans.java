package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Plans of many resources on one database applied in one transaction. When a hundred roles arrive at once, each
 * used to wait for its turn on the database's catalog lock ({@link CatalogLocks}) and commit a transaction of a
 * few GRANTs alone. Now a plan is queued first; whoever holds the turn takes every plan queued so far (those
 * waiting behind it included) and applies them together: one connection, one transaction, one commit. The
 * others find their plan done when their turn comes and return at once.
 *
 * <p>Should the group fail (one role's GRANT names a table dropped meanwhile), each plan of it runs again alone,
 * so one bad plan fails only its own resource. Plans must hold only transactional steps (grants, default
 * privileges); a step that needs autocommit is applied alone, as it always was.
 */
public final class GroupedPlans {
    /** At most this many plans share a transaction: its locks and its failure stay small. */
    static final int MAX_GROUP = 100;

    /** How a group reaches its database: a connection the caller closes. */
    public interface Connect {
        Connection open() throws SQLException;
    }

    private static final class Pending {
        final List<SqlStep> plan;
        boolean done;
        SQLException failure;

        Pending(List<SqlStep> plan) {
            this.plan = plan;
        }
    }

    private final CatalogLocks locks;
    private final Map<String, ConcurrentLinkedQueue<Pending>> queues = new ConcurrentHashMap<>();

    public GroupedPlans(CatalogLocks locks) {
        this.locks = locks;
    }

    /** Applies {@code plan} on {@code database} of {@code cluster}, possibly with others' in one transaction. */
    public List<String> apply(String cluster, String database, List<SqlStep> plan, Connect connect) throws SQLException {
        if (plan.isEmpty()) {
            return List.of();
        }
        if (plan.stream().anyMatch(SqlStep::needsAutocommit)) {
            return locks.withLock(cluster, database, () -> SqlErrors.retryingConflicts(() -> alone(plan, connect)));
        }
        var queue = queues.computeIfAbsent(cluster + "\u0000" + database, k -> new ConcurrentLinkedQueue<>());
        Pending mine = new Pending(plan);
        queue.add(mine);
        locks.withLock(cluster, database, () -> {
            while (!mine.done) {
                List<Pending> group = new ArrayList<>();
                for (Pending p; group.size() < MAX_GROUP && (p = queue.poll()) != null; ) {
                    group.add(p);
                }
                applyGroup(group, connect);
            }
            return null;
        });
        if (mine.failure != null) {
            throw mine.failure;
        }
        return plan.stream().map(SqlStep::description).toList();
    }

    private static void applyGroup(List<Pending> group, Connect connect) {
        if (group.size() > 1) {
            List<SqlStep> all = new ArrayList<>();
            group.forEach(p -> all.addAll(p.plan));
            try {
                SqlErrors.retryingConflicts(() -> alone(all, connect));
                group.forEach(p -> p.done = true);
                return;
            } catch (SQLException e) {
                // some plan of the group failed: each runs alone below, so only that one reports it
            }
        }
        for (Pending p : group) {
            try {
                SqlErrors.retryingConflicts(() -> alone(p.plan, connect));
            } catch (SQLException e) {
                p.failure = e;
            }
            p.done = true;
        }
    }

    private static List<String> alone(List<SqlStep> plan, Connect connect) throws SQLException {
        try (Connection c = connect.open()) {
            SqlSteps.apply(c, plan);
        }
        return plan.stream().map(SqlStep::description).toList();
    }
}
