package io.shopdb.operator.sql;

import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per (cluster, database) for the DDL that rewrites shared catalog rows: GRANT ... ON DATABASE
 * rewrites the database's pg_database row, GRANT ON SCHEMA its pg_namespace row, ALTER DEFAULT PRIVILEGES the
 * pg_default_acl row of (creator, schema), whatever the grantee. Two roles granted on one database at once
 * then fail with "tuple concurrently updated" (XX000). Taking turns inside the operator removes those
 * conflicts at the source; {@link SqlErrors#retryingConflicts} covers writers outside it (another replica, a
 * person in psql). Only changes take the lock: a steady-state re-check reads and plans nothing to apply.
 */
public final class CatalogLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T withLock(String cluster, String database, SqlErrors.Work<T> work) throws SQLException {
        ReentrantLock lock = lock(cluster, database);
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }

    /** The same turn for work that reports failures in its result (Flyway). */
    public <T> T inTurn(String cluster, String database, java.util.function.Supplier<T> work) {
        try {
            return withLock(cluster, database, work::get);
        } catch (SQLException e) {
            throw new IllegalStateException(e); // a Supplier throws none
        }
    }

    /** Threads waiting for the turn on {@code database} now (tests look at it). */
    public int waiting(String cluster, String database) {
        return lock(cluster, database).getQueueLength();
    }

    private ReentrantLock lock(String cluster, String database) {
        return locks.computeIfAbsent(cluster + "\u0000" + database, k -> new ReentrantLock());
    }
}
