package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query budgets on a real server: the query runs as the application role (a throwaway member of it, never the
 * superuser), read-only, under a timeout; its plan's shape changes when an index is dropped; the login role is gone
 * afterwards.
 */
@ExtendWith(PostgresExtension.class)
class QueryBudgetChecksPgTest {

    /** A database with an indexed table of 50,000 orders and a reporting role {@code <name>_reporting} that may read it. */
    static PgEndpoint shop(TestPostgres pg, String name) throws SQLException {
        String owner = name + "_owner";
        String reporting = name + "_reporting";
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + name, "DROP ROLE IF EXISTS " + reporting, "DROP ROLE IF EXISTS " + owner,
                "CREATE ROLE " + owner, "CREATE ROLE " + reporting, "CREATE DATABASE " + name + " OWNER " + owner);
        pg.exec(name, "SET ROLE " + owner,
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL)",
                "INSERT INTO orders SELECT g, g % 1000, g % 97 FROM generate_series(1, 50000) g",
                "CREATE INDEX orders_customer ON orders (customer_id)",
                "GRANT SELECT ON orders TO " + reporting,
                "RESET ROLE", "ANALYZE orders");
        return pg.superuser().withDatabase(name);
    }

    static List<QueryBudgetChecks.Result> run(TestPostgres pg, PgEndpoint db, String role, QueryBudgetChecks.Budget... budgets) throws Exception {
        try (Connection admin = pg.connect(db.database())) {
            return QueryBudgetChecks.run(admin, db, role, List.of(budgets), "spec.queryBudgets[0].runAs");
        }
    }

    static QueryBudgetChecks.Budget budget(String name, String sql, long budgetMillis, long timeoutMillis) {
        return new QueryBudgetChecks.Budget(name, sql, Duration.ofMillis(budgetMillis), Duration.ofMillis(timeoutMillis));
    }

    @Test
    void aDroppedIndexChangesThePlanShapeAndItsHash(TestPostgres pg) throws Exception {
        PgEndpoint db = shop(pg, "qb_plan");
        var lookup = budget("customer-orders", "SELECT sum(total) FROM orders WHERE customer_id = 42", 5_000, 15_000);

        QueryBudgetChecks.Result indexed = run(pg, db, db.database() + "_reporting", lookup).get(0);
        assertEquals(QueryBudgetChecks.Verdict.WITHIN, indexed.verdict(), indexed.message());
        assertTrue(indexed.plan().shape().contains("Bitmap Index Scan") || indexed.plan().shape().contains("Index Scan"), indexed.plan().shape());
        assertTrue(indexed.plan().worstEstimate().contains("estimated"), indexed.plan().worstEstimate());

        pg.exec("qb_plan", "DROP INDEX orders_customer");
        QueryBudgetChecks.Result scanned = run(pg, db, db.database() + "_reporting", lookup).get(0);
        assertEquals(QueryBudgetChecks.Verdict.WITHIN, scanned.verdict(), scanned.message());
        assertTrue(scanned.plan().shape().contains("Seq Scan"), scanned.plan().shape());
        assertTrue(!scanned.plan().shape().contains("Index"), scanned.plan().shape());
        assertNotEquals(indexed.plan().hash(), scanned.plan().hash(), "a dropped index is a new plan");

        QueryBudgetChecks.Result again = run(pg, db, db.database() + "_reporting", lookup).get(0);
        assertEquals(scanned.plan().hash(), again.plan().hash(), "the same plan hashes the same");
        assertNoLoginRolesLeft(pg);
    }

    @Test
    void aSlowQueryExceedsItsBudgetAndAHungOneIsCancelledAtTheTimeout(TestPostgres pg) throws Exception {
        PgEndpoint db = shop(pg, "qb_slow");
        var results = run(pg, db, db.database() + "_reporting",
                budget("slow", "SELECT count(*) FROM orders, pg_sleep(0.3)", 100, 5_000),
                budget("hung", "SELECT pg_sleep(30)", 100, 1_000),
                budget("fast", "SELECT count(*) FROM orders WHERE id = 7", 5_000, 15_000));
        var slow = results.get(0);
        assertEquals(QueryBudgetChecks.Verdict.EXCEEDED, slow.verdict(), slow.message());
        assertTrue(slow.durationMillis() >= 300, slow.message());
        assertNotNull(slow.plan(), "it ran to the end: its plan is kept");
        var hung = results.get(1);
        assertEquals(QueryBudgetChecks.Verdict.EXCEEDED, hung.verdict(), hung.message());
        assertEquals(1_000L, hung.durationMillis());
        assertTrue(hung.message().contains("statement timeout"), hung.message());
        assertEquals(QueryBudgetChecks.Verdict.WITHIN, results.get(2).verdict(), "the session goes on after a cancelled query: " + results.get(2).message());
    }

    @Test
    void theQueryRunsAsTheRoleReadOnlyAndCannotBecomeTheSuperuser(TestPostgres pg) throws Exception {
        PgEndpoint db = shop(pg, "qb_safe");
        var results = run(pg, db, db.database() + "_reporting",
                budget("write", "WITH gone AS (DELETE FROM orders RETURNING 1) SELECT count(*) FROM gone", 5_000, 15_000),
                budget("escalate", "SELECT set_config('role', 'postgres', false)", 5_000, 15_000),
                budget("files", "SELECT pg_read_file('PG_VERSION')", 5_000, 15_000),
                budget("unreadable", "SELECT count(*) FROM pg_authid", 5_000, 15_000));
        assertEquals(QueryBudgetChecks.Verdict.FAILED, results.get(0).verdict());
        assertTrue(results.get(0).message().contains("25006"), results.get(0).message());
        for (int i = 1; i < results.size(); i++) {
            assertEquals(QueryBudgetChecks.Verdict.FAILED, results.get(i).verdict(), results.get(i).budget().name());
            assertTrue(results.get(i).message().contains("42501"), results.get(i).budget().name() + ": " + results.get(i).message());
        }
        assertEquals("50000", one(pg, "qb_safe", "SELECT count(*) FROM orders"), "nothing was deleted");

        var refused = assertThrows(OwnerSession.RefusedRoleException.class, () -> run(pg, db, "postgres", budget("x", "SELECT 1", 1000, 1000)));
        assertTrue(refused.getMessage().startsWith("spec.queryBudgets[0].runAs: postgres has SUPERUSER"), refused.getMessage());
        pg.exec("postgres", "DROP ROLE IF EXISTS qb_admins", "CREATE ROLE qb_admins CREATEROLE", "GRANT qb_admins TO qb_safe_reporting");
        try {
            var reaches = assertThrows(OwnerSession.RefusedRoleException.class, () -> run(pg, db, db.database() + "_reporting", budget("x", "SELECT 1", 1000, 1000)));
            assertTrue(reaches.getMessage().contains("qb_safe_reporting is a member of qb_admins, which has CREATEROLE"), reaches.getMessage());
        } finally {
            pg.exec("postgres", "REVOKE qb_admins FROM qb_safe_reporting", "DROP ROLE qb_admins");
        }
        assertNoLoginRolesLeft(pg);
    }

    static void assertNoLoginRolesLeft(TestPostgres pg) throws SQLException {
        assertEquals("0", one(pg, "postgres", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shopdb\\_mig\\_%'"), "throwaway logins are dropped");
    }

    static String one(TestPostgres pg, String database, String sql) throws SQLException {
        try (Connection c = pg.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
