package io.shopdb.operator.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One small, bounded connection pool per (server, database), shared by every controller. A thousand roles on
 * one cluster then share a handful of connections instead of opening one (or three) per reconcile.
 *
 * <p>A pool is keyed by its owner (namespace/cluster) and database, and remembers the endpoint it was made
 * for: when the address or the credentials change (a rotated superuser Secret, a moved external server),
 * the next caller gets a new pool and the old one is closed in the background, so no stale password
 * lingers in a pool. {@link #retireOwners} closes the pools of clusters that are gone (once their borrowed connections are back). Idle connections are
 * closed after a while (minimumIdle 0): a quiet cluster holds no connection.
 */
public final class PgPools implements AutoCloseable {
    /**
     * {@code connectionTimeout} bounds both connecting and waiting for a free connection: a reconcile never sits
     * on a pool longer than that (callers check first that the database exists, see DatabaseCatalog.missing).
     */
    public record Settings(int maxSize, Duration idleTimeout, Duration maxLifetime, Duration connectionTimeout) {
        public Settings(int maxSize, Duration idleTimeout, Duration maxLifetime) {
            this(maxSize, idleTimeout, maxLifetime, Duration.ofSeconds(5));
        }
    }

    private record Pool(PgEndpoint endpoint, HikariDataSource dataSource) {}

    private final Settings settings;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "shopdb-pool-housekeeping"));
    private final ExecutorService closer = Executors.newSingleThreadExecutor(r -> daemon(r, "shopdb-pool-closer"));
    private final AtomicLong opened = new AtomicLong();
    /** Longest wait of a retired pool for its borrowed connections before it closes them anyway. */
    static final Duration RETIRE_PATIENCE = Duration.ofMinutes(30);

    public PgPools(Settings settings) {
        this.settings = settings;
    }

    /** A connection from the pool of {@code owner}'s server and {@code endpoint.database()}; close it to return it. */
    public Connection open(String owner, PgEndpoint endpoint) throws SQLException {
        return dataSource(owner, endpoint).getConnection();
    }

    /** The pool itself, for libraries that take a DataSource (Flyway). */
    public DataSource dataSource(String owner, PgEndpoint endpoint) {
        String key = owner + "\u0000" + endpoint.database();
        Pool pool = pools.compute(key, (k, current) -> {
            if (current != null && current.endpoint().equals(endpoint)) {
                return current;
            }
            if (current != null) {
                retire(current);
            }
            return new Pool(endpoint, create(owner, endpoint));
        });
        return pool.dataSource();
    }

    /**
     * Retires the pools of the owners in {@code gone} (clusters that were deleted): they lend no more connections
     * and close once every borrowed one is returned, so work in flight on them finishes.
     */
    public void retireOwners(Set<String> gone) {
        pools.entrySet().removeIf(e -> {
            if (!gone.contains(owner(e.getKey()))) {
                return false;
            }
            retire(e.getValue());
            return true;
        });
    }

    private static String owner(String key) {
        return key.substring(0, key.indexOf('\u0000'));
    }

    /**
     * Closes the pool of one database now (its idle connections end at once): before DROP DATABASE, which
     * PostgreSQL refuses while any session is connected to it.
     */
    public void closeDatabase(String owner, String database) {
        Pool pool = pools.remove(owner + "\u0000" + database);
        if (pool != null) {
            pool.dataSource().close();
        }
    }

    /**
     * Closes every pool now, borrowed connections included (their sockets are closed under their users): what
     * a dead operator process leaves the servers with. Each server ends such a session when it next reads from
     * it, rolling back its open transaction. The next caller gets a new pool.
     */
    public void abandonAll() {
        pools.values().forEach(p -> p.dataSource().close()); // closing a pool aborts its borrowed connections (Hikari)
        pools.clear();
    }

    /** Pools open now (tests and the benchmark look at this). */
    public int size() {
        return pools.size();
    }

    /** Connections this process opened to PostgreSQL through the pools, since start. */
    public long connectionsOpened() {
        return opened.get();
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.dataSource().close());
        pools.clear();
        closer.shutdown();
        housekeeping.shutdownNow();
    }

    private HikariDataSource create(String owner, PgEndpoint endpoint) {
        HikariConfig config = new HikariConfig();
        // the name shows in Hikari's own log lines: where, never with what password
        config.setPoolName("shopdb " + owner + "/" + endpoint.database());
        config.setDataSource(PgConnections.dataSource(endpoint, opened::incrementAndGet));
        config.setMaximumPoolSize(settings.maxSize());
        config.setMinimumIdle(0);
        config.setIdleTimeout(settings.idleTimeout().toMillis());
        config.setMaxLifetime(settings.maxLifetime().toMillis());
        // waiting for a free connection is bounded like connecting is: a reconcile fails fast and retries
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setValidationTimeout(Duration.ofSeconds(5).toMillis());
        // a pool for a server that is down yet must still be created; connections fail when asked for
        config.setInitializationFailTimeout(-1);
        config.setScheduledExecutor(housekeeping);
        config.setRegisterMbeans(false);
        return new HikariDataSource(config);
    }

    /**
     * Stops lending from a pool now and closes it once its borrowed connections are back. Hikari's close() aborts
     * borrowed connections at once, which would kill a migration or a grant in flight on a pool replaced after a
     * Secret rotation; so the close waits (checked every second, off the caller's thread) up to
     * {@link #RETIRE_PATIENCE}, a bound no reconcile statement comes near.
     */
    private void retire(Pool pool) {
        try {
            pool.dataSource().getHikariPoolMXBean().softEvictConnections();
        } catch (RuntimeException ignored) {
            // not started yet: nothing to evict
        }
        long deadline = System.nanoTime() + RETIRE_PATIENCE.toNanos();
        Runnable[] attempt = new Runnable[1];
        attempt[0] = () -> {
            var bean = pool.dataSource().getHikariPoolMXBean();
            if (bean == null || bean.getActiveConnections() == 0 || System.nanoTime() > deadline) {
                closer.execute(() -> pool.dataSource().close());
            } else {
                housekeeping.schedule(attempt[0], 1, java.util.concurrent.TimeUnit.SECONDS);
            }
        };
        attempt[0].run();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
