package io.shopdb.operator.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.PlanEstimates;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * reporting.top_products as V8 redefines it (issue 29) against V6's definition on the same data: the same rows,
 * and a join estimate the planner can build a plan on. The store is first migrated to V7, V6's view is copied
 * aside, then V8 is applied the way a deploy applies it (Flyway, on top of the recorded V1-V7).
 */
@ExtendWith(PostgresExtension.class)
class TopProductsViewPgTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "shop_top_products";
    private static final String QUERY = "SELECT product_id, name, units, revenue FROM %s ORDER BY revenue DESC LIMIT 10";

    private static TestPostgres pg;
    private static FlywayRunner.Report v8;

    @BeforeAll
    static void storeAtV7ThenV8(TestPostgres server) throws Exception {
        pg = server;
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + DB, "CREATE DATABASE " + DB);
        pg.exec(DB, "CREATE SCHEMA sales", "CREATE SCHEMA catalog", "CREATE SCHEMA reporting",
                "CREATE EXTENSION citext", "CREATE EXTENSION pg_trgm", "CREATE EXTENSION pgcrypto");
        PgEndpoint db = pg.superuser().withDatabase(DB);
        var settings = new FlywayRunner.Settings(List.of("sales", "catalog", "reporting"), null, Map.of(), null, false, false, true, false, 10);
        List<Script> all = ShopSchemaPgTest.shopScripts();
        var v7 = FlywayRunner.migrate(db, all.stream().filter(s -> version(s) <= 7).toList(), settings);
        assertNull(v7.failure(), String.valueOf(v7.failure()));
        assertEquals("7", v7.currentVersion());
        pg.exec(DB, "CREATE VIEW reporting.top_products_v6 AS " + one("SELECT pg_get_viewdef('reporting.top_products'::regclass)"));
        loadOrders();
        v8 = FlywayRunner.migrate(db, all, settings);
        pg.exec(DB, "ANALYZE");
    }

    /**
     * Three months of orders (every status, some in the future), one to three items each; products 301-400 are never
     * ordered. Some order ids are used twice (COPY and OVERRIDING SYSTEM VALUE write ids as given): a copy five days
     * earlier inside the window, and one 60 days earlier outside it, each with items of its own.
     */
    private static void loadOrders() throws SQLException {
        pg.exec(DB,
                "SELECT sales.create_order_partitions((now() - interval '100 days')::date, 5)",
                "INSERT INTO sales.customers (email, full_name) SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 1000) g",
                "INSERT INTO catalog.products (slug, name, category_id) SELECT 'p-' || g, 'Product ' || g, 1 + g % 4 FROM generate_series(1, 400) g",
                "INSERT INTO catalog.variants (product_id, sku) SELECT p.id, 'SKU-' || p.id || '-' || s FROM catalog.products p, generate_series(1, 3) s ORDER BY p.id, s",
                "INSERT INTO sales.orders (customer_id, status, currency, total, created_at) "
                        + "SELECT 1 + g % 1000, (ARRAY['pending','paid','shipped','delivered','cancelled','refunded','delivered'])[1 + g % 7], 'EUR', 0, "
                        + "now() - interval '90 days' + (g::bigint * 93 * 86400 / 40000) * interval '1 second' FROM generate_series(1, 40000) g",
                "INSERT INTO sales.orders (id, customer_id, status, currency, total, created_at) OVERRIDING SYSTEM VALUE "
                        + "SELECT id, customer_id, 'delivered', 'EUR', 0, created_at - interval '5 days' FROM sales.orders "
                        + "WHERE created_at >= now() - interval '20 days' AND created_at < now() AND id % 10 = 0",
                "INSERT INTO sales.orders (id, customer_id, status, currency, total, created_at) OVERRIDING SYSTEM VALUE "
                        + "SELECT id, customer_id, 'paid', 'EUR', 0, created_at - interval '60 days' FROM sales.orders "
                        + "WHERE created_at >= now() - interval '10 days' AND id % 10 = 5",
                // order_items' key is (order_id, line_no): the items of an id's second order take lines 11.., its third 21..
                "INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price) "
                        + "SELECT o.id, o.created_at, l + 10 * (o.twin - 1), CASE WHEN o.twins > 1 THEN 1 + (o.id * 7 + o.twin * 13 + l) % 900 "
                        + "ELSE 1 + (o.id * 31 + l * 7) % 900 END, 1 + (o.id + l) % 4, 5 + (o.id * l) % 95 + 0.99 "
                        + "FROM (SELECT id, created_at, row_number() OVER w AS twin, count(*) OVER w AS twins FROM sales.orders "
                        + "WINDOW w AS (PARTITION BY id ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) o, "
                        + "generate_series(1, 1 + (o.id % 3)::int) l");
    }

    @Test
    void v8IsAppliedOnTopOfTheRecordedScripts() {
        assertNull(v8.failure(), String.valueOf(v8.failure()));
        assertEquals("8", v8.currentVersion());
        assertEquals(1, v8.executed(), "only V8 runs: V1-V7 are recorded with their checksums");
    }

    @Test
    void sameRowsAsV6() throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            c.setAutoCommit(false); // one transaction: one now() for both views and the orders at the window's edge
            st.execute("WITH o AS (INSERT INTO sales.orders (customer_id, status, currency, total, created_at) "
                    + "VALUES (1, 'paid', 'EUR', 0, now() - interval '30 days'), (2, 'paid', 'EUR', 0, now() - interval '30 days' - interval '1 microsecond') "
                    + "RETURNING id, created_at) "
                    + "INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price) "
                    + "SELECT id, created_at, 1, (SELECT v.id FROM catalog.variants v WHERE v.sku = CASE WHEN created_at = now() - interval '30 days' "
                    + "THEN 'SKU-397-1' ELSE 'SKU-399-1' END), 3, 1.50 FROM o");
            // an id shared by an order 40 days old, which holds the only item of product 398, and a paid order of
            // yesterday without items: the item is outside the window, so product 398 is in neither view
            st.execute("WITH old AS (INSERT INTO sales.orders (customer_id, status, currency, total, created_at) "
                    + "VALUES (3, 'paid', 'EUR', 0, now() - interval '40 days') RETURNING id, created_at), "
                    + "twin AS (INSERT INTO sales.orders (id, customer_id, status, currency, total, created_at) OVERRIDING SYSTEM VALUE "
                    + "SELECT id, 4, 'paid', 'EUR', 0, now() - interval '1 day' FROM old) "
                    + "INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price) "
                    + "SELECT id, created_at, 1, (SELECT v.id FROM catalog.variants v WHERE v.sku = 'SKU-398-1'), 1, 2.00 FROM old");
            long v6Rows = count(st, "SELECT count(*) FROM reporting.top_products_v6");
            long v8Rows = count(st, "SELECT count(*) FROM reporting.top_products");
            long differing = count(st, "SELECT count(*) FROM ((TABLE reporting.top_products EXCEPT ALL TABLE reporting.top_products_v6) "
                    + "UNION ALL (TABLE reporting.top_products_v6 EXCEPT ALL TABLE reporting.top_products)) d");
            assertTrue(v6Rows > 250, "the window holds sales of most products: " + v6Rows);
            assertEquals(v6Rows, v8Rows);
            assertEquals(0, differing, "rows of one view missing from the other");
            assertEquals(1, count(st, "SELECT count(*) FROM reporting.top_products WHERE product_id = 397 AND units = 3 AND revenue = 4.50"),
                    "an order exactly 30 days old counts");
            assertEquals(0, count(st, "SELECT count(*) FROM reporting.top_products WHERE product_id IN (301, 398, 399)"),
                    "products never sold in the window are absent");
            c.rollback();
        }
    }

    @Test
    void theJoinOfOrdersAndItemsIsEstimatedAtItsSize() throws Exception {
        PlanEstimates.Join v6 = PlanEstimates.worstJoin(explainAnalyze("reporting.top_products_v6")).orElseThrow();
        assertTrue(v6.underestimate() > PlanEstimates.MAX_UNDERESTIMATE, "this data reproduces V6's misestimate: " + v6.describe());
        PlanEstimates.Join v8 = PlanEstimates.worstJoin(explainAnalyze("reporting.top_products")).orElseThrow();
        assertTrue(v8.underestimate() <= PlanEstimates.MAX_UNDERESTIMATE, "V8: " + v8.describe() + " (V6: " + v6.describe() + ")");
    }

    private static JsonNode explainAnalyze(String view) throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + String.format(QUERY, view))) {
            rs.next();
            return JSON.readTree(rs.getString(1)).get(0).get("Plan");
        }
    }

    private static int version(Script s) {
        return Integer.parseInt(s.name().substring(1, s.name().indexOf("__")));
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String one(String sql) throws SQLException {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
