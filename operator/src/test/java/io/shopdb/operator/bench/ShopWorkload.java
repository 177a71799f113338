package io.shopdb.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.database.DatabasePartitions;
import io.shopdb.operator.access.DatabaseSpecs;
import io.shopdb.operator.migration.FlywayRunner;
import io.shopdb.operator.migration.Script;
import io.shopdb.operator.role.RoleSpecs;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.DatabasePlan;
import io.shopdb.operator.sql.DesiredDatabase;
import io.shopdb.operator.sql.DesiredPartitions;
import io.shopdb.operator.sql.GrantCatalog;
import io.shopdb.operator.sql.GrantPlan;
import io.shopdb.operator.sql.PartitionMaintenance;
import io.shopdb.operator.sql.RoleCatalog;
import io.shopdb.operator.sql.RolePlan;
import io.shopdb.operator.sql.SqlSteps;
import io.shopdb.operator.testing.PlanEstimates;
import io.shopdb.operator.testing.TestPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/shop on a local server, built the way the operator builds it (no Kubernetes needed): the roles of
 * 20-roles.yaml through RolePlan with SCRAM passwords, the database of 10-database.yaml through DatabasePlan, the
 * migrations as shop_owner through the operator's Flyway runner, the grants through GrantPlan once the tables exist,
 * and the declared order partitions through PartitionMaintenance. So shop_app and shop_reporting have exactly the
 * privileges the example gives them. The server runs with PostgreSQL's default durability (fsync, synchronous
 * commit, full page writes on; the test servers turn them off) and default memory settings.
 */
final class ShopWorkload {
    static final int CUSTOMERS = 100_000;
    static final int PRODUCTS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestPostgres pg;
    private final Map<String, char[]> passwords = new HashMap<>();

    private ShopWorkload(TestPostgres pg) {
        this.pg = pg;
    }

    static ShopWorkload create(TestPostgres pg) throws Exception {
        return create(pg, 200);
    }

    /** As above, the server allowing {@code maxConnections} sessions (PoolerBenchmark runs 200 clients directly). */
    static ShopWorkload create(TestPostgres pg, int maxConnections) throws Exception {
        ShopWorkload shop = new ShopWorkload(pg);
        durable(pg, maxConnections);
        shop.apply();
        shop.seedCatalog();
        return shop;
    }

    /** The test server runs with durability off (command-line options win over ALTER SYSTEM): restart it without. */
    private static void durable(TestPostgres pg, int maxConnections) throws Exception {
        pg.pause();
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(List.of(LocalPostgres.binDir() + "/pg_ctl", "-D", pg.dir().resolve("data").toString(), "-l", pg.dir().resolve("server.log").toString(),
                "-o", "-p " + pg.port() + " -k " + pg.dir() + " -c listen_addresses=127.0.0.1 -c max_connections=" + maxConnections, "-w", "start"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor(), "pg_ctl start");
    }

    char[] password(String role) {
        return passwords.get(role);
    }

    int variants() {
        return PRODUCTS * 3;
    }

    private void apply() throws Exception {
        List<PostgresRole> roles = new ArrayList<>();
        for (String doc : Files.readString(Paths.get("examples/shop/20-roles.yaml")).split("(?m)^---\\s*$")) {
            if (doc.contains("kind: PostgresRole")) {
                roles.add(Serialization.unmarshal(doc, PostgresRole.class));
            }
        }
        PostgresDatabase db = Serialization.unmarshal(Files.readString(Paths.get("examples/shop/10-database.yaml")), PostgresDatabase.class);
        try (Connection c = pg.connect()) {
            for (PostgresRole r : roles) {
                var desired = RoleSpecs.desired(r);
                SqlSteps.apply(c, RolePlan.plan(desired, RoleCatalog.read(c, desired.name())));
                char[] pw = ("bench-" + desired.name() + "-pw").toCharArray();
                RoleCatalog.ensurePassword(c, desired.name(), pw);
                passwords.put(desired.name(), pw);
            }
            DesiredDatabase desired = DatabaseSpecs.desired(db);
            SqlSteps.apply(c, DatabasePlan.plan(desired, DatabaseCatalog.read(c, desired.name())));
        }
        try (Connection c = pg.connect("shop")) {
            SqlSteps.apply(c, DatabasePlan.planContents(DatabaseSpecs.desired(db), DatabaseCatalog.readContents(c)));
        }
        var report = FlywayRunner.migrate(pg.superuser().withDatabase("shop"), scripts(),
                new FlywayRunner.Settings(List.of("sales", "catalog", "reporting"), "shop_owner", Map.of(), null, false, false, true, false, 10));
        assertNull(report.failure(), String.valueOf(report.failure()));
        try (Connection c = pg.connect("shop")) {
            for (PostgresRole r : roles) {
                for (var grants : RoleSpecs.grants(r).entrySet()) {
                    SqlSteps.apply(c, GrantPlan.plan(grants.getValue(), GrantCatalog.read(c, RoleSpecs.roleName(r))));
                }
            }
            for (int i = 0; i < db.getSpec().getPartitions().size(); i++) {
                var result = PartitionMaintenance.run(c, DatabasePartitions.desired(db.getSpec().getPartitions().get(i), "partitions"), today());
                assertNull(result.failure());
            }
        }
    }

    private static List<Script> scripts() throws Exception {
        List<Script> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(Paths.get("examples/shop/migrations"))) {
            for (Path f : files.sorted().toList()) {
                scripts.add(new Script(f.getFileName().toString(), Files.readString(f)));
            }
        }
        return scripts;
    }

    /** Customers, products with three variants each, a EUR price per variant, stock in three warehouses. */
    private void seedCatalog() throws SQLException {
        pg.exec("shop",
                "INSERT INTO sales.customers (email, full_name) SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, " + CUSTOMERS + ") g",
                "INSERT INTO catalog.products (slug, name, category_id) SELECT 'p-' || g, 'Product ' || g, 1 + g % 4 FROM generate_series(1, " + PRODUCTS + ") g",
                "INSERT INTO catalog.variants (product_id, sku) SELECT p.id, 'SKU-' || p.id || '-' || s FROM catalog.products p, generate_series(1, 3) s",
                "INSERT INTO catalog.prices (variant_id, currency, amount, valid_from) SELECT id, 'EUR', 5 + id % 95, '2025-01-01' FROM catalog.variants",
                "INSERT INTO catalog.inventory (variant_id, warehouse_id, on_hand) SELECT v.id, w.id, 1000 FROM catalog.variants v, catalog.warehouses w",
                "VACUUM ANALYZE");
    }

    /**
     * One year of orders before today, spread evenly over the months, two items each, 85% of them paid or later.
     * Partitions of the past year are created first by the same maintenance, run as of a year ago with premake 13.
     */
    String generateYear(int orders) throws Exception {
        LocalDate today = today();
        LocalDate yearAgo = today.minusYears(1);
        try (Connection c = pg.connect("shop")) {
            var past = new DesiredPartitions("sales", "orders", io.shopdb.operator.sql.PartitionInterval.MONTH, 13, null, false, true);
            assertNull(PartitionMaintenance.run(c, past, yearAgo).failure());
        }
        String span = "extract(epoch FROM timestamptz '" + today + "' - timestamptz '" + yearAgo + "')";
        longStatements(
                "INSERT INTO sales.orders (customer_id, status, currency, total, created_at) "
                        + "SELECT 1 + (g * 7919) % " + CUSTOMERS + ", (ARRAY['pending','paid','shipped','delivered','delivered','delivered','delivered',"
                        + "'delivered','delivered','delivered','delivered','delivered','delivered','cancelled','paid','shipped','delivered','delivered','refunded','pending'])[1 + g % 20], "
                        + "'EUR', 0, timestamptz '" + yearAgo + "' + (" + span + " * g / " + orders + ") * interval '1 second' "
                        + "FROM generate_series(1::bigint, " + orders + ") g",
                "INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price) "
                        + "SELECT o.id, o.created_at, l, 1 + (o.id * 31 + l * 7) % " + variants() + ", l, 5 + ((o.id * 31 + l * 7) % " + variants() + ") % 95 "
                        + "FROM sales.orders o, generate_series(1, 2) l WHERE o.created_at < timestamptz '" + today + "'",
                "UPDATE sales.orders o SET total = i.sum FROM (SELECT order_id, order_created_at, sum(quantity * unit_price) AS sum "
                        + "FROM sales.order_items WHERE order_created_at < timestamptz '" + today + "' GROUP BY 1, 2) i "
                        + "WHERE i.order_id = o.id AND i.order_created_at = o.created_at AND o.created_at < timestamptz '" + today + "'",
                "VACUUM ANALYZE");
        return String.format("generated %,d orders from %s to %s with %,d items", orders, yearAgo, today, orders * 2L);
    }

    /** The generation statements run for minutes: a connection without the operator's 60 s socket timeout. */
    private void longStatements(String... statements) throws SQLException {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", TestPostgres.SUPERUSER);
        props.setProperty("password", new String(pg.superuser().password()));
        try (Connection c = new org.postgresql.Driver().connect(pg.superuser().withDatabase("shop").jdbcUrl(), props);
             Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    String describe() throws SQLException {
        return "store: examples/shop on PostgreSQL " + one("SHOW server_version") + " (fsync " + one("SHOW fsync")
                + ", synchronous_commit " + one("SHOW synchronous_commit") + ", shared_buffers " + one("SHOW shared_buffers")
                + "); " + CUSTOMERS + " customers, " + variants() + " variants; roles shop_app and shop_reporting with the example's grants";
    }

    String counts() throws SQLException {
        return one("SELECT count(*) || ' orders in ' || (SELECT count(*) FROM pg_inherits WHERE inhparent = 'sales.orders'::regclass) "
                + "|| ' partitions, ' || pg_size_pretty(pg_database_size('shop')) FROM sales.orders");
    }

    /** The plans of the hot queries at size: they must use their indexes and prune to the months they touch. */
    List<String> checkPlans() throws Exception {
        List<String> lines = new ArrayList<>();
        JsonNode history = explain("SELECT id, status, total, created_at FROM sales.orders WHERE customer_id = 4242 ORDER BY created_at DESC LIMIT 10");
        List<String> indexes = find(history, "Index Name");
        assertTrue(indexes.stream().allMatch(i -> i.contains("customer_id_created_at")) && !indexes.isEmpty(), "last orders: " + indexes);
        lines.add("plan, last ten orders: " + top(history) + " over " + indexes.size() + " partition indexes (customer_id, created_at DESC), "
                + history.get("Actual Total Time") + " ms");
        JsonNode report = explain("SELECT product_id, name, units, revenue FROM reporting.top_products ORDER BY revenue DESC LIMIT 10");
        List<String> scanned = find(report, "Relation Name").stream().filter(r -> r.startsWith("orders_")).distinct().sorted().toList();
        // pruning keeps the months since 30 days ago, and the empty months ahead (the bound is open upwards)
        String oldest = "orders_" + io.shopdb.operator.sql.PartitionInterval.MONTH.suffix(today().minusDays(31).withDayOfMonth(1));
        assertTrue(!scanned.isEmpty() && scanned.stream().allMatch(r -> r.compareTo(oldest) >= 0), "top products (30 days) scans " + scanned);
        lines.add("plan, top products (30 days): orders partitions scanned " + scanned + ", " + report.get("Actual Total Time") + " ms"
                + " (load average after: " + loadAverage() + ")");
        // issue 29: a join of 30 days of orders with their items estimated at 1 row (155,000 in fact) ran fast here
        // and 94 s beside the writers once the planner built a nested loop on that 1 row; so the estimate is checked,
        // not only the time
        PlanEstimates.Join worst = PlanEstimates.worstJoin(report).orElseThrow();
        String estimate = "plan, top products (30 days): worst join estimate " + worst.describe()
                + (worst.underestimate() > PlanEstimates.MAX_UNDERESTIMATE ? ": MISESTIMATED (more than x" + (int) PlanEstimates.MAX_UNDERESTIMATE + ")" : "");
        lines.add(estimate);
        assertTrue(worst.underestimate() <= PlanEstimates.MAX_UNDERESTIMATE, String.join("\n", lines));
        return lines;
    }

    private JsonNode explain(String sql) throws Exception {
        try (Connection c = pg.connect("shop"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
            rs.next();
            return JSON.readTree(rs.getString(1)).get(0).get("Plan");
        }
    }

    private static String top(JsonNode plan) {
        return plan.get("Node Type").asText() + (plan.has("Plans") ? " > " + top(plan.get("Plans").get(0)) : "");
    }

    private static List<String> find(JsonNode node, String key) {
        List<String> out = new ArrayList<>();
        if (node.has(key)) {
            out.add(node.get(key).asText());
        }
        if (node.has("Plans")) {
            node.get("Plans").forEach(child -> out.addAll(find(child, key)));
        }
        return out;
    }

    private String one(String sql) throws SQLException {
        try (Connection c = pg.connect("shop"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The 1, 5 and 15 minute load averages: a time measured on a shared machine means little without them. */
    static String loadAverage() throws java.io.IOException {
        return String.join(" ", List.of(Files.readString(Paths.get("/proc/loadavg")).split(" ")).subList(0, 3));
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

}
