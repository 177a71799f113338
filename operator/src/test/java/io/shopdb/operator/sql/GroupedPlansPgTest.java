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
    final CatalogLocks locks = new CatalogLocks();
    final GroupedPlans grouped = new GroupedPlans(locks);
    final AtomicInteger connections = new AtomicInteger();

    GroupedPlansPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @Test
    void plansQueuedBehindATurnShareATransactionAndABadOneFailsAlone() throws Exception {
        String db = database("grouped");
        List<String> roles = roles("grouped_r");
        List<List<SqlStep>> plans = new ArrayList<>();
        for (int i = 0; i < ROLES; i++) {
            String table = i == 5 ? "missing_table" : "t"; // one plan names a table that does not exist
            plans.add(List.of(new SqlStep("GRANT SELECT ON " + table + " TO " + roles.get(i),
                    "GRANT SELECT ON " + Identifiers.quote(table) + " TO " + Identifiers.quote(roles.get(i)))));
        }
        List<Future<List<String>>> results = applyQueuedBehindATurn(db, plans);
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
        try (Connection c = pg.connect(db); var ps = c.prepareStatement(
                "SELECT count(*) FROM unnest(?::text[]) r WHERE has_table_privilege(r, 't', 'SELECT')")) {
            ps.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(ROLES - 1, rs.getInt(1), "every role but the bad one holds its grant");
            }
        }
        // the group failed whole and ran again plan by plan: one connection for the group, one per plan after it
        assertEquals(ROLES + 1, connections.get());
    }

    @Test
    void plansThatAllSucceedTakeOneTransactionPerGroup() throws Exception {
        String db = database("grouped_ok");
        List<List<SqlStep>> plans = new ArrayList<>();
        for (String role : roles("grouped_ok")) {
            plans.add(List.of(new SqlStep("GRANT", "GRANT SELECT ON t TO " + Identifiers.quote(role))));
        }
        for (Future<List<String>> f : applyQueuedBehindATurn(db, plans)) {
            assertEquals(List.of("GRANT"), f.get());
        }
        assertEquals(1, connections.get(), "all twelve plans, queued together, ran in one transaction");
    }

    private String database(String prefix) throws Exception {
        String db = SqlTestNames.unique(prefix);
        pg.exec("postgres", "CREATE DATABASE " + db);
        pg.exec(db, "CREATE TABLE t (id int)");
        return db;
    }

    private List<String> roles(String prefix) throws Exception {
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < ROLES; i++) {
            String r = SqlTestNames.unique(prefix + i);
            pg.exec("postgres", "CREATE ROLE " + r);
            roles.add(r);
        }
        return roles;
    }

    /** Holds the database's turn, queues every plan behind it, then lets go: the next holder finds them all waiting. */
    private List<Future<List<String>>> applyQueuedBehindATurn(String db, List<List<SqlStep>> plans) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(plans.size() + 1); // the plans, and the holder of the turn
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        try (PgPools pools = new PgPools(new PgPools.Settings(4, Duration.ofMinutes(1), Duration.ofMinutes(5)))) {
            Future<Object> holder = threads.submit(() -> locks.withLock("ns/g", db, () -> {
                held.countDown();
                awaitQuietly(release);
                return null;
            }));
            held.await();
            for (List<SqlStep> plan : plans) {
                results.add(threads.submit(() -> grouped.apply("ns/g", db, plan, () -> {
                    connections.incrementAndGet();
                    return pools.open("ns/g", pg.superuser().withDatabase(db));
                })));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (locks.waiting("ns/g", db) < plans.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(plans.size(), locks.waiting("ns/g", db), "every plan queued behind the held turn");
            release.countDown();
            holder.get();
            for (Future<List<String>> f : results) {
                try {
                    f.get();
                } catch (ExecutionException expected) {
                    // the caller looks at each result
                }
            }
            return results;
        } finally {
            threads.shutdown();
            assertTrue(threads.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
