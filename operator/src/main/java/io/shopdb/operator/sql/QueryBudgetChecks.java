package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs query budgets: each query under {@code EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)}, as the application role,
 * never as a superuser.
 *
 * <p>The superuser connection makes a throwaway login role that is a member of the role (as a migration's session,
 * {@link OwnerSession#createLogin}: the role is refused when it is or reaches SUPERUSER, CREATEROLE, REPLICATION or
 * BYPASSRLS); a NEW connection logs in as it, on the primary or on a replica (where the role arrives by replication:
 * the login is retried for a few seconds) and does {@code SET ROLE}, so a query's {@code set_config('role', ...)}
 * can fall back to nothing stronger than the throwaway role. Each query runs in its own read-only transaction, always
 * rolled back, with a server-side statement and lock timeout and a client-side query timeout behind them. Only the
 * plan leaves the server, never row data; errors are reported as SQLSTATE and class ({@link DrillChecks#describe}).
 */
public final class QueryBudgetChecks {
    /** One declared budget: the query, the longest it may take, and when to cancel it. */
    public record Budget(String name, String sql, Duration budget, Duration timeout) {}

    public enum Verdict { WITHIN, EXCEEDED, FAILED }

    /** The outcome of one budget: the plan when it ran to the end, else the duration is the timeout (cancelled) or null. */
    public record Result(Budget budget, Verdict verdict, Long durationMillis, QueryPlan plan, String message) {
        /** The check could not run, for {@code message}. */
        public static Result failed(Budget budget, String message) {
            return new Result(budget, Verdict.FAILED, null, null, message);
        }
    }

    /** How long a replica may take to see the throwaway role the primary just created. */
    static final Duration REPLICATION_WAIT = Duration.ofSeconds(15);

    private QueryBudgetChecks() {}

    /**
     * @param admin  a superuser connection to the budgets' database on the primary (makes and drops the login role)
     * @param where  the server to run on: host, port, database name and TLS trust (its credentials are not used)
     * @param runAs  the application role the queries run as
     * @param field  how a refusal names the role (spec.queryBudgets[0].runAs)
     * @throws OwnerSession.RefusedRoleException the role is missing, or may not act for the operator (nothing ran)
     * @throws SQLException the login could not be made or could not connect (nothing ran)
     */
    public static List<Result> run(Connection admin, PgEndpoint where, String runAs, List<Budget> budgets, String field)
            throws SQLException, OwnerSession.RefusedRoleException {
        String role = OwnerSession.newLoginName();
        Duration validFor = budgets.stream().map(Budget::timeout).reduce(REPLICATION_WAIT.plusMinutes(5), Duration::plus);
        OwnerSession.Login login = OwnerSession.createLogin(admin, role, where.database(), runAs, field, 1, validFor);
        // reads may take as long as the longest timeout: the socket must not give up first (it would lose the session)
        long longest = budgets.stream().map(Budget::timeout).max(Duration::compareTo).orElse(Duration.ZERO).toSeconds();
        List<Result> results = new ArrayList<>();
        try (Connection c = logIn(where, login, (int) Math.min(Integer.MAX_VALUE, longest + 30), runAs)) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            for (Budget b : budgets) {
                results.add(check(c, b));
            }
        } finally {
            Arrays.fill(login.password(), '\0');
            try {
                OwnerSession.dropLogin(admin, role, runAs);
            } catch (SQLException e) {
                // the checks ran: their results stand; the role expires and the next session sweeps it
                System.getLogger(QueryBudgetChecks.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot drop the budget check's login " + role + ": " + DrillChecks.describe(e));
            }
        }
        return results;
    }

    /**
     * Logs in as the throwaway role and sets the role to {@code runAs}. A replica may not have replayed the role's creation
     * (authentication fails, class 28) or its membership (SET ROLE is refused, 42501) yet: both are retried briefly, the
     * second on the same session (the role may hold one connection only).
     */
    private static Connection logIn(PgEndpoint where, OwnerSession.Login login, int socketTimeoutSeconds, String runAs) throws SQLException {
        PgEndpoint as = new PgEndpoint(where.host(), where.port(), where.database(), login.role(), login.password(), where.sslMode(), where.trust());
        long deadline = System.nanoTime() + REPLICATION_WAIT.toNanos();
        Connection c = retrying(deadline, "28", () -> PgConnections.open(as, socketTimeoutSeconds));
        try {
            retrying(deadline, "42501", () -> {
                try (Statement st = c.createStatement()) {
                    st.execute("SET ROLE " + Identifiers.quote(runAs));
                }
                return null;
            });
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private interface SqlAction<T> {
        T run() throws SQLException;
    }

    /** {@code action}, again every 200 ms while it fails with a SQLSTATE starting with {@code retried} and {@code deadline} has not passed. */
    private static <T> T retrying(long deadline, String retried, SqlAction<T> action) throws SQLException {
        while (true) {
            try {
                return action.run();
            } catch (SQLException e) {
                String state = SqlErrors.state(e);
                if (state == null || !state.startsWith(retried) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** One budget in its own read-only transaction, rolled back. Never throws: an error is a failed check. */
    static Result check(Connection c, Budget b) {
        long timeoutMillis = b.timeout().toMillis();
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL statement_timeout = " + timeoutMillis);
                st.execute("SET LOCAL lock_timeout = " + timeoutMillis);
                // behind the server's timeouts, which the query itself could change for later statements
                st.setQueryTimeout((int) Math.max(1, (timeoutMillis + 5_000) / 1000));
                try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + b.sql())) {
                    if (!rs.next()) {
                        return Result.failed(b, "EXPLAIN returned no plan");
                    }
                    QueryPlan plan = QueryPlan.parse(rs.getString(1));
                    boolean within = plan.durationMillis() <= b.budget().toMillis();
                    return new Result(b, within ? Verdict.WITHIN : Verdict.EXCEEDED, plan.durationMillis(), plan,
                            plan.durationMillis() + " ms, budget " + b.budget().toMillis() + " ms");
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            if ("57014".equals(SqlErrors.state(e))) {
                return new Result(b, Verdict.EXCEEDED, timeoutMillis, null,
                        "cancelled at the statement timeout (" + timeoutMillis + " ms), budget " + b.budget().toMillis() + " ms");
            }
            return Result.failed(b, "the query failed: " + DrillChecks.describe(e));
        } catch (IllegalArgumentException e) {
            return Result.failed(b, e.getMessage());
        }
    }
}
