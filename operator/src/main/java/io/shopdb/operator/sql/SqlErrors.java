package io.shopdb.operator.sql;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * What a failed statement means for the resource that ran it, from its SQLSTATE. Three families matter:
 * <ul>
 * <li>catalog conflicts (40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available,
 *   XX000 "tuple concurrently updated" from two GRANTs on one catalog row): the server is fine and the same
 *   statements succeed when run again, so they are retried at once, a bounded number of times;</li>
 * <li>the server could not be reached (class 08, a refused connection, 57P0x shutdown, 53300 too many
 *   connections): ServerUnreachable, retried with backoff;</li>
 * <li>anything else: a reason that names it (PermissionDenied, AuthenticationFailed, SqlError).</li>
 * </ul>
 * The reasons are plain strings (this package knows no Kubernetes); they are the condition reasons.
 */
public final class SqlErrors {
    public static final String SERVER_UNREACHABLE = "ServerUnreachable";
    public static final String CATALOG_CONFLICT = "CatalogConflict";
    public static final String PERMISSION_DENIED = "PermissionDenied";
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    public static final String SQL_ERROR = "SqlError";

    /** Immediate re-runs of a conflicting plan; the conflicts last milliseconds, so a few are plenty. */
    public static final int CONFLICT_RETRIES = 5;

    private SqlErrors() {}

    /** A conflict with a concurrent transaction on the same catalog rows: run it again now. */
    public static boolean isConflict(SQLException e) {
        String state = state(e);
        if (state == null) {
            return false;
        }
        return conflictState(state)
                || "XX000".equals(state) && (messages(e).contains("tuple concurrently updated") || messages(e).contains("tuple concurrently deleted"));
    }

    /** serialization_failure, deadlock_detected, lock_not_available: another transaction was in the way. */
    public static boolean conflictState(String state) {
        return "40001".equals(state) || "40P01".equals(state) || "55P03".equals(state);
    }

    /** Connection exceptions (class 08), the server shutting down (57P0x), too many connections (53300). */
    public static boolean unreachableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"));
    }

    /**
     * Trouble with the server rather than with what was asked of it, anywhere along the chain (a library may wrap
     * the driver's exception): unreachable, or a conflict with another transaction. The same work may succeed later.
     */
    public static boolean isServerTrouble(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && (unreachableState(s.getSQLState()) || conflictState(s.getSQLState()))) {
                return true;
            }
            if (isConnectionFailure(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionFailure(Throwable t) {
        return t instanceof ConnectException || t instanceof SQLTransientConnectionException
                || t instanceof java.net.SocketTimeoutException || t instanceof java.io.EOFException;
    }

    public static boolean isUnreachable(SQLException e) {
        if (unreachableState(state(e))) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (isConnectionFailure(t)) {
                return true;
            }
        }
        return false;
    }

    /** The condition reason for a failure that was not retried away. */
    public static String reason(SQLException e) {
        if (isUnreachable(e)) {
            return SERVER_UNREACHABLE;
        }
        if (isConflict(e)) {
            return CATALOG_CONFLICT;
        }
        String state = state(e);
        if (state != null && state.startsWith("28")) {
            return AUTHENTICATION_FAILED;
        }
        if ("42501".equals(state)) {
            return PERMISSION_DENIED;
        }
        return SQL_ERROR;
    }

    /** The first SQLSTATE along the chain (a pooled connection wraps the driver's exception). */
    static String state(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }

    /** A unit of SQL work that may be re-run as a whole (it reads the catalog again each time). */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work}, again at once on a catalog conflict, up to {@link #CONFLICT_RETRIES} more times. */
    public static <T> T retryingConflicts(Work<T> work) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try {
                return work.run();
            } catch (SQLException e) {
                if (!isConflict(e) || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }
}
