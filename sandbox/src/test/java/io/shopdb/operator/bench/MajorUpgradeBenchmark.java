package io.shopdb.operator.bench;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A major upgrade (PostgreSQL 15 to 16, the sandbox's second major) of a shop database under the shop's writes: customers,
 * products with stock, orders partitioned by month and their items; -Dbench.writers clients (default 4) each place
 * orders (an order, three items, three stock updates, one transaction) through the source's -rw Service, verifying
 * the server by that name, from before the upgrade is created until after its cutover. Reported per run: the copy's
 * duration, the write pause at the cutover as the clients saw it (last order acknowledged before the cutover began to
 * the first after) and as the operator measured it (status.writePause), the pause of the source's restart for
 * wal_level logical, acknowledged orders missing on the new major (goal 0) and the checksum comparison.
 * Not a test: a command (BENCHMARKS.md); -Dbench.runs (default 3), -Dbench.orders (rows before the upgrade, default 200000).
 */
@QuarkusTest
class MajorUpgradeBenchmark extends OperatorTestBase {
    private static final String PASSWORD = "bench-owner-pass";

    @Test
    void majorUpgradeUnderTheShopsWrites() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        int orders = Integer.getInteger("bench.orders", 200_000);
        int writers = Integer.getInteger("bench.writers", 4);
        create(new SecretBuilder().withNewMetadata().withName("bench-owner").endMetadata().addToStringData("password", PASSWORD).build());
        List<String> report = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            String line = once("u" + run, orders, writers);
            report.add("run " + run + ": " + line);
            System.out.println("UPGRADE-BENCH run " + run + ": " + line);
        }
        System.out.println("UPGRADE-BENCH summary\n" + String.join("\n", report));
    }

    private String once(String name, int orders, int writers) throws Exception {
        String source = name + "-db";
        String target = name + "-db16";
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %s}
                spec: {instances: 1}
                """.formatted(source), PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: %1$s-owner}
                spec: {clusterRef: {name: %1$s-db}, name: shop_owner, login: true, passwordSecretRef: {name: bench-owner}}
                """.formatted(name), PostgresRole.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: %1$s-shop}
                spec: {clusterRef: {name: %1$s-db}, name: shop, owner: shop_owner}
                """.formatted(name), PostgresDatabase.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %s}
                spec: {instances: 1, postgresVersion: "16", tls: {caSecretName: %s-ca}}
                """.formatted(target, source), PostgresCluster.class));
        awaitReady(PostgresDatabase.class, name + "-shop");
        awaitReady(PostgresCluster.class, target);
        try (Connection c = owner(source, 600); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE)");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, stock int NOT NULL)");
            st.execute("CREATE TABLE orders (id bigserial, placed timestamptz NOT NULL DEFAULT now(), customer bigint NOT NULL, total numeric(12,2),"
                    + " PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed)");
            for (String month : List.of("2026-10", "2026-11", "2026-12", "2027-01")) {
                st.execute("CREATE TABLE orders_" + month.replace('-', '_') + " PARTITION OF orders FOR VALUES FROM ('" + month + "-01') TO ('"
                        + java.time.YearMonth.parse(month).plusMonths(1) + "-01')");
            }
            st.execute("CREATE TABLE order_items (order_id bigint NOT NULL, placed timestamptz NOT NULL, product bigint NOT NULL REFERENCES products,"
                    + " quantity int NOT NULL, PRIMARY KEY (order_id, product))");
            st.execute("INSERT INTO customers (email) SELECT 'c' || g || '@shop.test' FROM generate_series(1, 20000) g");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 1 + g % 90, 1000000 FROM generate_series(1, 2000) g");
            st.execute("INSERT INTO orders (placed, customer, total) SELECT TIMESTAMPTZ '2026-10-01' + (g % 60) * INTERVAL '1 day', 1 + g % 20000,"
                    + " g % 500 FROM generate_series(1, " + orders + ") g");
            st.execute("INSERT INTO order_items SELECT o.id, o.placed, 1 + (o.id + k) % 2000, k FROM orders o, generate_series(1, 3) k");
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>(); // {order id, wall millis}
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> placeOrders(source, writing, acked), "upgrade-bench-writer");
            t.start();
            threads.add(t);
        }
        Thread.sleep(2000);
        String loadBefore = load();
        Instant created = Instant.now();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMajorUpgrade
                metadata: {name: %s}
                spec: {source: {name: %s}, target: {name: %s}}
                """.formatted(name, source, target), PostgresMajorUpgrade.class));
        PostgresMajorUpgrade done = awaitCondition(PostgresMajorUpgrade.class, name, "Ready", null);
        String loadDuring = load();
        Thread.sleep(3000);
        writing.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
        var s = done.getStatus();
        long startedCutover = Instant.parse(s.getCutoverStartedAt()).toEpochMilli();
        long cutoverAt = Instant.parse(s.getCutoverAt()).toEpochMilli();
        List<Long> times = acked.stream().map(a -> a[1]).sorted().toList();
        long cutoverGap = -1; // the longest time without an acknowledged order across the cutover, as the clients saw it
        long restartGap = 0; // before the cutover: the source's restart for wal_level logical
        for (int i = 1; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            if (times.get(i) >= startedCutover && times.get(i - 1) <= cutoverAt) {
                cutoverGap = Math.max(cutoverGap, gap);
            } else if (times.get(i) < startedCutover) {
                restartGap = Math.max(restartGap, gap);
            }
        }
        Set<Long> present = new HashSet<>();
        try (Connection c = owner(source, 600); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        long lost = acked.stream().filter(a -> !present.contains(a[0])).count();
        long afterCutover = acked.stream().filter(a -> a[1] >= startedCutover).count();
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName(name + "-shop").delete();
        client.resources(PostgresRole.class).inNamespace(ns()).withName(name + "-owner").delete();
        client.resources(PostgresMajorUpgrade.class).inNamespace(ns()).withName(name).delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName(source).delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName(target).delete();
        return orders + " orders (" + orders * 3 + " items) copied in " + java.time.Duration.between(Instant.parse(s.getStartedAt()),
                Instant.parse(s.getCutoverStartedAt())).toMillis() / 1000.0 + " s (upgrade created to cutover "
                + java.time.Duration.between(created, Instant.parse(s.getCutoverAt())).toMillis() / 1000.0 + " s); cutover write pause seen by "
                + writers + " clients " + (cutoverGap < 0 ? "unknown" : cutoverGap + " ms") + ", by the operator "
                + s.getWritePause() + "; source restart for wal_level pause " + restartGap + " ms; orders acknowledged " + acked.size()
                + " (" + afterCutover + " after the cutover), lost " + lost + "; tables compared " + s.getTablesCompared() + ", mismatches "
                + s.getMismatches().size() + " (load " + loadBefore + " before, " + loadDuring + " at the end)";
    }

    /** One order at a time: the order, three items, three stock updates, one transaction; failures are retried on a new connection. */
    private void placeOrders(String cluster, AtomicBoolean writing, ConcurrentLinkedQueue<long[]> acked) {
        java.util.Random random = new java.util.Random();
        while (writing.get()) {
            try (Connection c = owner(cluster);
                 PreparedStatement order = c.prepareStatement("INSERT INTO orders (customer, total) VALUES (?, ?) RETURNING id, placed");
                 PreparedStatement item = c.prepareStatement("INSERT INTO order_items VALUES (?, ?, ?, 1)");
                 PreparedStatement stock = c.prepareStatement("UPDATE products SET stock = stock - 1 WHERE id = ?")) {
                c.setAutoCommit(false);
                while (writing.get()) {
                    order.setLong(1, 1 + random.nextInt(20000));
                    order.setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(50000), 2));
                    long id;
                    java.sql.Timestamp placed;
                    try (ResultSet rs = order.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                        placed = rs.getTimestamp(2);
                    }
                    long first = 1 + random.nextInt(1998);
                    for (long p = first; p < first + 3; p++) {
                        item.setLong(1, id);
                        item.setTimestamp(2, placed);
                        item.setLong(3, p);
                        item.executeUpdate();
                        stock.setLong(1, p);
                        stock.executeUpdate();
                    }
                    c.commit();
                    acked.add(new long[]{id, System.currentTimeMillis()});
                }
            } catch (SQLException | RuntimeException e) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
        }
    }

    private Connection owner(String cluster) throws SQLException {
        return owner(cluster, 10);
    }

    private Connection owner(String cluster, int socketTimeoutSeconds) throws SQLException {
        var a = addresses.resolve(ns(), cluster + "-rw", 5432);
        String ca = ClusterTls.caPem(client, client.resources(PostgresCluster.class).inNamespace(ns()).withName(cluster).get());
        return PgConnections.open(new PgEndpoint(a.host(), a.port(), "shop", "shop_owner", PASSWORD.toCharArray(), "verify-full",
                new ServerTrust(ca, cluster + "-rw." + ns() + ".svc")), 1, socketTimeoutSeconds);
    }

    private static String load() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
