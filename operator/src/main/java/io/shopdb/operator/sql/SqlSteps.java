package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Runs a plan. Consecutive transactional steps share one transaction, so a failing GRANT leaves none of its
 * siblings half-applied; CREATE/DROP DATABASE run alone with autocommit because PostgreSQL requires it.
 */
public final class SqlSteps {
    /** A step waiting this long for a lock (e.g. GRANT on a table under a long ALTER) fails and is retried later. */
    static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '10s'";

    private SqlSteps() {}

    /** Returns how many steps ran. On failure the open transaction is rolled back and the step is named. */
    public static int apply(Connection c, List<SqlStep> steps) throws SQLException {
        if (steps.isEmpty()) {
            return 0;
        }
        boolean autoCommit = c.getAutoCommit();
        int ran = 0;
        try (Statement st = c.createStatement()) {
            int i = 0;
            while (i < steps.size()) {
                if (steps.get(i).needsAutocommit()) {
                    c.setAutoCommit(true);
                    run(st, steps.get(i));
                    ran++;
                    i++;
                    continue;
                }
                c.setAutoCommit(false);
                try {
                    st.execute(LOCK_TIMEOUT);
                    int batch = 0;
                    while (i + batch < steps.size() && !steps.get(i + batch).needsAutocommit()) {
                        run(st, steps.get(i + batch));
                        batch++;
                    }
                    c.commit();
                    ran += batch;
                    i += batch;
                } catch (SQLException | RuntimeException e) {
                    quietly(e, c::rollback);
                    throw e;
                }
            }
        } catch (SQLException | RuntimeException e) {
            quietly(e, () -> c.setAutoCommit(autoCommit));
            throw e;
        }
        c.setAutoCommit(autoCommit);
        return ran;
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    /**
     * Clean-up after a failed step that must not hide why it failed: when the server died mid-plan, rollback and
     * setAutoCommit fail too ("Connection is closed"), and thrown over the original error they turned a
     * ServerUnreachable into an SqlError.
     */
    private static void quietly(Exception cause, SqlAction cleanup) {
        try {
            cleanup.run();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void run(Statement st, SqlStep step) throws SQLException {
        try {
            st.execute(step.sql());
        } catch (SQLException e) {
            // the description is safe for status; the server's message says why (it never holds a password,
            // since passwords never travel in a step)
            throw new SQLException("step \"" + step.description() + "\" failed: " + e.getMessage(), e.getSQLState(), e);
        }
    }
}
