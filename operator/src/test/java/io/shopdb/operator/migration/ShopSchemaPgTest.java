package io.shopdb.operator.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.database.DatabasePartitions;
import io.shopdb.operator.sql.DesiredPartitions;
import io.shopdb.operator.sql.PartitionMaintenance;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference store's migrations (examples/shop/migrations) on a real server, with enough data for the
 * planner to choose: the hot queries must use the indexes chosen for them and prune order partitions.
 */
@ExtendWith(PostgresExtension.class)
class ShopSchemaPgTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Script> shopScripts() throws IOException {
        List<Script> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(Paths.get("examples/shop/migrations"))) {
            for (Path f : files.sorted().toList()) {
                scripts.add(new Script(f.getFileName().toString(), Files.readString(f)));
            }
        }
        return scripts;
    }

    /** The partition maintenance examples/shop/10-database.yaml declares, as the operator reads it. */
    static List<DesiredPartitions> shopPartitions() throws IOException {
        PostgresDatabase db = Serialization.unmarshal(Files.readString(Paths.get("examples/shop/10-database.yaml")), PostgresDatabase.class);
        List<DesiredPartitions> out = new ArrayList<>();
        for (int i = 0; i < db.getSpec().getPartitions().size(); i++) {
            out.add(DatabasePartitions.desired(db.getSpec().getPartitions().get(i), "spec.partitions[" + i + "]"));
        }
        return out;
    }

    /** One re-check of the example's partition maintenance on {@code today}; returns the steps applied. */
    static List<String> maintainPartitions(PgEndpoint db, LocalDate today) throws Exception {
        List<String> applied = new ArrayList<>();
        try (Connection c = PgConnections.open(db)) {
            for (DesiredPartitions d : shopPartitions()) {
                var result = PartitionMaintenance.run(c, d, today);
                assertNull(result.failure(), String.valueOf(result.failure()));
                result.applied().forEach(step -> applied.add(step.description()));
            }
        }
        return applied;
    }

    static PgEndpoint shopDatabase(TestPostgres pg, String name) throws Exception {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name);
        pg.exec(name, "CREATE SCHEMA sales", "CREATE SCHEMA catalog", "CREATE SCHEMA reporting",
                "CREATE EXTENSION citext", "CREATE EXTENSION pg_trgm", "CREATE EXTENSION pgcrypto");
        PgEndpoint db = pg.superuser().withDatabase(name);
        var settings = new FlywayRunner.Settings(List.of("sales", "catalog", "reporting"), null, Map.of(), null, false, false, true, false, 10);
        var report = FlywayRunner.migrate(db, shopScripts(), settings);
        assertNull(report.failure(), String.valueOf(report.failure()));
        return db;
    }

    private static TestPostgres pg;

    @BeforeAll
    static void loadShop(TestPostgres server) throws Exception {
        pg = server;
        PgEndpoint db = shopDatabase(pg, "shop_plans");
        // the operator's first re-check after the migration, in January: January and three months ahead
        assertEquals(4, maintainPartitions(db, LocalDate.of(2026, 1, 10)).size());
        pg.exec("shop_plans",
                "INSERT INTO sales.customers (email, full_name) SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 5000) g",
                "INSERT INTO catalog.products (slug, name, category_id) SELECT 'p-' || g, 'Product ' || g, 1 + g % 4 FROM generate_series(1, 2000) g",
                "INSERT INTO catalog.variants (product_id, sku) SELECT p.id, 'SKU-' || p.id || '-' || s FROM catalog.products p, generate_series(1, 3) s",
                "INSERT INTO catalog.prices (variant_id, currency, amount, valid_from) SELECT id, 'EUR', 10 + id % 90, '2026-01-01' FROM catalog.variants",
                // 60k orders spread over Jan..Jun 2026, most of them delivered
                "INSERT INTO sales.orders (customer_id, status, currency, total, created_at) "
                        + "SELECT 1 + g % 5000, (ARRAY['pending','paid','shipped','delivered','delivered','delivered','cancelled'])[1 + g % 7], 'EUR', g % 500, "
                        + "timestamptz '2026-01-01' + (g % 180) * interval '1 day' + (g % 86400) * interval '1 second' FROM generate_series(1, 60000) g",
                "INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price) "
                        + "SELECT o.id, o.created_at, 1, 1 + o.id % 6000, 1 + o.id % 3, 10 FROM sales.orders o",
                "ANALYZE");
        // June: May and June orders (with their items) sit in the default partition and move to their months;
        // July to September are created ahead
        List<String> june = maintainPartitions(db, LocalDate.of(2026, 6, 20));
        assertTrue(june.contains("ATTACH PARTITION sales.orders_2026_05 FOR 2026-05-01 .. 2026-06-01"), june.toString());
        assertTrue(june.contains("CREATE PARTITION sales.orders_2026_09 FOR 2026-09-01 .. 2026-10-01"), june.toString());
        assertEquals(List.of(), maintainPartitions(db, LocalDate.of(2026, 6, 30)), "steady until July");
        pg.exec("shop_plans", "ANALYZE");
    }

    @Test
    void ordersArePartitionedByMonthWithADefault() throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (Connection c = pg.connect("shop_plans"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                     + "WHERE i.inhparent = 'sales.orders'::regclass ORDER BY 1")) {
            while (rs.next()) {
                partitions.add(rs.getString(1));
            }
        }
        assertTrue(partitions.contains("orders_default"), partitions.toString());
        assertTrue(partitions.contains("orders_2026_01") && partitions.contains("orders_2026_06"), partitions.toString());
        try (Connection c = pg.connect("shop_plans"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.orders_default")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "every order landed in its month");
        }
    }

    @Test
    void customerOrderHistoryUsesItsIndex() throws Exception {
        JsonNode plan = explain("SELECT id, status, total, created_at FROM sales.orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20");
        assertTrue(indexesUsed(plan).stream().anyMatch(i -> i.startsWith("orders_") && i.contains("customer_id_created_at")),
                "uses the (customer_id, created_at) index of each partition: " + indexesUsed(plan));
    }

    @Test
    void ordersByStatusAndDatePruneToTheMonthAndUseTheirIndex() throws Exception {
        JsonNode plan = explain("SELECT count(*) FROM sales.orders WHERE status = 'pending' "
                + "AND created_at >= '2026-03-01' AND created_at < '2026-03-08'");
        List<String> relations = relationsScanned(plan);
        assertEquals(List.of("orders_2026_03"), relations.stream().distinct().toList(), "prunes to March: " + relations);
        assertTrue(indexesUsed(plan).stream().anyMatch(i -> i.contains("status_created_at")), "index: " + indexesUsed(plan));
    }

    @Test
    void productPageUsesSlugAndVariantIndexes() throws Exception {
        JsonNode plan = explain("SELECT p.name, v.sku, pr.amount FROM catalog.products p JOIN catalog.variants v ON v.product_id = p.id "
                + "JOIN catalog.prices pr ON pr.variant_id = v.id AND pr.currency = 'EUR' WHERE p.slug = 'p-123'");
        List<String> indexes = indexesUsed(plan);
        assertTrue(indexes.contains("products_slug_key"), indexes.toString());
        assertTrue(indexes.contains("variants_product_idx"), indexes.toString());
    }

    @Test
    void reportingViewsAnswer() throws SQLException {
        try (Connection c = pg.connect("shop_plans"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(orders) FROM reporting.daily_revenue")) {
            rs.next();
            assertEquals(180, rs.getInt(1), "one row per day with paid-or-later orders");
            assertTrue(rs.getLong(2) > 30000);
        }
    }

    private static JsonNode explain(String sql) throws Exception {
        try (Connection c = pg.connect("shop_plans"); Statement st = c.createStatement()) {
            st.execute("SET enable_seqscan = on");
            try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
                rs.next();
                return JSON.readTree(rs.getString(1)).get(0).get("Plan");
            }
        }
    }

    private static List<String> indexesUsed(JsonNode plan) {
        List<String> out = new ArrayList<>();
        walk(plan, n -> { if (n.has("Index Name")) out.add(n.get("Index Name").asText()); });
        return out;
    }

    private static List<String> relationsScanned(JsonNode plan) {
        List<String> out = new ArrayList<>();
        walk(plan, n -> { if (n.has("Relation Name")) out.add(n.get("Relation Name").asText()); });
        return out;
    }

    private static void walk(JsonNode node, java.util.function.Consumer<JsonNode> visit) {
        visit.accept(node);
        if (node.has("Plans")) {
            node.get("Plans").forEach(child -> walk(child, visit));
        }
    }
}
