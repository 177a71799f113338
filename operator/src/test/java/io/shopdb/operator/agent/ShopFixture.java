package io.shopdb.operator.agent;

import io.shopdb.operator.testing.TestPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small shop: customers, products, orders partitioned by year (two partitions), order items, an invoice
 * sequence and a view; about 10,500 rows. The fingerprint is row count + md5 of every row in key order per
 * table, plus the sequence position and the view's content, so a restore that loses or alters anything shows.
 */
final class ShopFixture {
    /** table → ORDER BY key, for the fingerprint. */
    static final Map<String, String> TABLES = Map.of(
            "customers", "id", "products", "id", "orders", "id, created_at", "orders_2023", "id, created_at",
            "orders_2024", "id, created_at", "order_items", "order_id, created_at, line");

    private ShopFixture() {}

    static void create(TestPostgres pg, String db) throws SQLException {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
        pg.exec(db,
                "CREATE SEQUENCE invoice_no START 1000",
                "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text, created timestamptz)",
                "CREATE TABLE products (id int PRIMARY KEY, sku text UNIQUE, price numeric(10,2) NOT NULL, tags text[])",
                "CREATE TABLE orders (id bigint, customer_id int NOT NULL REFERENCES customers, created_at date NOT NULL, status text,"
                        + " invoice bigint DEFAULT nextval('invoice_no'), PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)",
                "CREATE TABLE orders_2023 PARTITION OF orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
                "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE order_items (order_id bigint, created_at date, line int, product_id int NOT NULL REFERENCES products,"
                        + " qty int NOT NULL CHECK (qty > 0), PRIMARY KEY (order_id, created_at, line),"
                        + " FOREIGN KEY (order_id, created_at) REFERENCES orders)",
                "CREATE VIEW order_totals AS SELECT o.id, o.created_at, sum(i.qty * p.price) AS total FROM orders o"
                        + " JOIN order_items i ON i.order_id = o.id AND i.created_at = o.created_at JOIN products p ON p.id = i.product_id"
                        + " GROUP BY o.id, o.created_at",
                "INSERT INTO customers SELECT g, 'c' || g || '@shop.example', 'Customer ' || g, '2023-01-01'::timestamptz + g * interval '1 hour'"
                        + " FROM generate_series(1, 1000) g",
                "INSERT INTO products SELECT g, 'SKU-' || g, (g % 97) + 0.99, ARRAY['tag' || (g % 5), 'x''y \"z']"
                        + " FROM generate_series(1, 500) g",
                "INSERT INTO orders (id, customer_id, created_at, status) SELECT g, 1 + g % 1000, '2023-01-01'::date + (g % 700),"
                        + " CASE WHEN g % 3 = 0 THEN 'shipped' ELSE 'paid' END FROM generate_series(1, 3000) g",
                "INSERT INTO order_items SELECT o.id, o.created_at, l, 1 + (o.id * l) % 500, 1 + l FROM orders o, generate_series(1, 2) l",
                "ANALYZE");
    }

    /** table → "rows:md5", plus the sequence and the view. */
    static Map<String, String> fingerprint(TestPostgres pg, String db) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            for (var t : TABLES.entrySet()) {
                out.put(t.getKey(), one(st, "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY " + t.getValue()
                        + "), '')) FROM " + t.getKey() + " t"));
            }
            out.put("view order_totals", one(st, "SELECT count(*) || ':' || md5(string_agg(v::text, '|' ORDER BY id, created_at)) FROM order_totals v"));
            out.put("sequence invoice_no", one(st, "SELECT last_value || ':' || is_called FROM invoice_no"));
        }
        return out;
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean databaseExists(TestPostgres pg, String db) throws SQLException {
        try (Connection c = pg.connect(); var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
