package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grant plans of many roles on one database, arriving together while the database's turn is held, are applied in
 * fewer transactions than plans, and a plan that fails fails alone: every other role gets its grants.
 */
@ExtendWith(PostgresExtension.class)
class GroupedPlansPgTest {
    static final int ROLES = 12;
    final TestPostgres pg;

    GroupedPlansPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @Test
    void plansQueuedBehindATurnShareATransactionAndABadOneFailsAlone() throws Exception {
        String db = SqlTestNames.unique("grouped");
        pg.exec("postgres", "CREATE DATABASE " + db);
        pg.exec(db, "CREATE TABLE t (id int)");
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < ROLES; i++) {
            String r = SqlTestNames.unique("grouped_r" + i);
            pg.exec("postgres", "CREATE ROLE " + r);
            roles.add(r);
        }
        CatalogLocks locks = new CatalogLocks();
        GroupedPlans grouped = new GroupedPlans(locks);
        AtomicInteger connections = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(ROLES + 1); // the plans, and the holder of the turn
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        // the turn is held while every plan queues: the next holder finds them all waiting
        Future<Object> holder = threads.submit(() -> locks.withLock("ns/g", db, () -> {
            held.countDown();
            awaitQuietly(release);
            return null;
        }));
        held.await();
        try (PgPools pools = new PgPools(new PgPools.Settings(4, Duration.ofMinutes(1), Duration.ofMinutes(5)))) {
            for (int i = 0; i < ROLES; i++) {
                String role = roles.get(i);
                // one plan names a table that does not exist
                String table = i == 5 ? "missing_table" : "t";
                List<SqlStep> plan = List.of(new SqlStep("GRANT SELECT ON " + table + " TO " + role,
                        "GRANT SELECT ON " + Identifiers.quote(table) + " TO " + Identifiers.quote(role)));
                results.add(threads.submit(() -> grouped.apply("ns/g", db, plan, () -> {
                    connections.incrementAndGet();
                    return pools.open("ns/g", pg.superuser().withDatabase(db));
                })));
            }
            awaitQueued(locks, db);
            release.countDown();
            holder.get();
            for (int i = 0; i < ROLES; i++) {
                if (i == 5) {
                    int index = i;
                    var failure = assertThrows(ExecutionException.class, () -> results.get(index).get());
                    assertInstanceOf(SQLException.class, failure.getCause());
                    assertEquals("42P01", ((SQLException) failure.getCause()).getSQLState(), "undefined_table, reported to its own caller");
                } else {
                    assertEquals(1, results.get(i).get().size());
                }
            }
        } finally {
            threads.shutdown();
        }
        try (Connection c = pg.connect(db); var ps = c.prepareStatement(
                "SELECT count(*) FROM unnest(?::text[]) r WHERE has_table_privilege(r, 't', 'SELECT')")) {
            ps.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(ROLES - 1, rs.getInt(1), "every role but the bad one holds its grant");
            }
        }
        // grouped: the first group failed whole and ran again alone (at most ROLES + 1 connections); without grouping
        // every plan takes its own, and a group of any size saves at least one
        assertTrue(connections.get() <= ROLES + 1, "connections: " + connections.get());
    }

    @Test
    void plansThatAllSucceedTakeOneTransactionPerGroup() throws Exception {
        String db = SqlTestNames.unique("grouped_ok");
        pg.exec("postgres", "CREATE DATABASE " + db);
        pg.exec(db, "CREATE TABLE t (id int)");
        CatalogLocks locks = new CatalogLocks();
        GroupedPlans grouped = new GroupedPlans(locks);
        AtomicInteger connections = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(ROLES + 1); // the plans, and the holder of the turn
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        Future<Object> holder = threads.submit(() -> locks.withLock("ns/g", db, () -> {
            held.countDown();
            awaitQuietly(release);
            return null;
        }));
        held.await();
        try (PgPools pools = new PgPools(new PgPools.Settings(4, Duration.ofMinutes(1), Duration.ofMinutes(5)))) {
            for (int i = 0; i < ROLES; i++) {
                String role = SqlTestNames.unique("grouped_ok" + i);
                pg.exec("postgres", "CREATE ROLE " + role);
                List<SqlStep> plan = List.of(new SqlStep("GRANT", "GRANT SELECT ON t TO " + Identifiers.quote(role)));
                results.add(threads.submit(() -> grouped.apply("ns/g", db, plan, () -> {
                    connections.incrementAndGet();
                    return pools.open("ns/g", pg.superuser().withDatabase(db));
                })));
            }
            awaitQueued(locks, db);
            release.countDown();
            holder.get();
            for (Future<List<String>> f : results) {
                assertEquals(List.of("GRANT"), f.get());
            }
        } finally {
            threads.shutdown();
        }
        assertEquals(1, connections.get(), "all twelve plans, queued together, ran in one transaction");
    }

    /** Every plan is queued before the turn is released: each caller is found waiting for the lock. */
    private static void awaitQueued(CatalogLocks locks, String db) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (locks.waiting("ns/g", db) < ROLES && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(ROLES, locks.waiting("ns/g", db));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
