package io.shopdb.operator.database;

import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PartitionSpec;
import io.shopdb.operator.api.v1alpha1.PartitionStatus;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.Scrapes;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spec.partitions through the running operator, with the operator's clock moved by the test: the table comes
 * after the database (as a migration would create it), partitions appear ahead, stray rows are counted, then
 * moved out of the default partition, months pass and old months are detached, and the metrics follow.
 */
@QuarkusTest
class PartitionOperatorTest extends OperatorTestBase {
    @Inject DatabasePartitions partitions;

    @AfterEach
    void realTimeAgain() {
        partitions.useClock(Clock.systemUTC());
    }

    @Test
    void monthsPassAndTheOperatorKeepsTheOrdersPartitioned() throws Exception {
        partitions.useClock(at("2031-01-15T12:00:00Z"));
        clusterWithDatabase("pt", """
                schemas: [{name: sales}]
                  partitions: [{table: sales.orders, interval: month, premake: 2, retention: {keep: 2}, defaultRows: keep}]""");
        // the database is Ready before its table exists: the migration that creates it waits for Ready
        PostgresDatabase db = await(PostgresDatabase.class, "pt", d -> Conditions.isReady(d.getStatus()) && d.getStatus().getPartitions() != null);
        assertEquals(Boolean.FALSE, table(db).getExists(), table(db).getMessage());

        sql("CREATE TABLE sales.customers (id bigint PRIMARY KEY)",
                "INSERT INTO sales.customers VALUES (1)",
                "CREATE TABLE sales.orders (id bigint GENERATED ALWAYS AS IDENTITY, customer_id bigint NOT NULL REFERENCES sales.customers, "
                        + "created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)",
                "CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT",
                "CREATE TABLE sales.order_items (order_id bigint, order_created_at timestamptz, line_no int, PRIMARY KEY (order_id, line_no), "
                        + "FOREIGN KEY (order_id, order_created_at) REFERENCES sales.orders (id, created_at))");
        // January 2031 and two months ahead, owned by the table's owner
        db = awaitTable(t -> Integer.valueOf(2).equals(t.getAhead()));
        assertEquals("2031-04-01", table(db).getNewestBound());
        assertEquals(Boolean.TRUE, table(db).getCurrent());
        assertEquals(List.of("orders_2031_01 pt_owner", "orders_2031_02 pt_owner", "orders_2031_03 pt_owner", "orders_default pt_owner"), partitionsOfOrders());
        String labels = "table=\"sales.orders\"";
        awaitMetric("shopdb_partitions_ahead", 2.0, labels);

        // orders of June (with items) land in the default partition; with defaultRows: keep they stay and are counted
        sql("INSERT INTO sales.orders (customer_id, created_at) VALUES (1, '2031-06-02 08:00+00'), (1, '2031-06-29 20:00+00')",
                "INSERT INTO sales.order_items SELECT id, created_at, 1 FROM sales.orders");
        db = awaitTable(t -> Long.valueOf(2).equals(t.getDefaultRows()));
        assertTrue(table(db).getMessage().contains("2 row(s) stay in the default partition (defaultRows: keep)"), table(db).getMessage());
        awaitMetric("shopdb_partition_default_rows", 2.0, labels);

        // move: June is built from those rows, the default partition is empty again
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("pt")
                .edit(d -> { d.getSpec().getPartitions().get(0).setDefaultRows(PartitionSpec.DefaultRows.move); return d; });
        db = awaitTable(t -> Long.valueOf(0).equals(t.getDefaultRows()));
        assertTrue(partitionsOfOrders().contains("orders_2031_06 pt_owner"), partitionsOfOrders().toString());
        assertEquals(List.of("sales.orders_2031_06 2"), rows("SELECT t || ' ' || count(*) FROM (SELECT tableoid::regclass::text AS t FROM sales.orders) o GROUP BY t"));
        assertTrue(db.getStatus().getLastAppliedPlan().contains("MOVE 2 row(s) from sales.orders_default to sales.orders_2031_06"),
                db.getStatus().getLastAppliedPlan().toString());
        awaitMetric("shopdb_partition_default_rows", 0.0, labels);

        // August: September and October ahead; keeping June and July, January to March are detached
        partitions.useClock(at("2031-08-10T00:00:00Z"));
        db = awaitTable(t -> "2031-11-01".equals(t.getNewestBound()) && Integer.valueOf(1).equals(t.getBehind()));
        assertEquals("2031-06-01", table(db).getOldestBound());
        assertEquals(List.of("orders_2031_06 pt_owner", "orders_2031_08 pt_owner", "orders_2031_09 pt_owner", "orders_2031_10 pt_owner",
                "orders_default pt_owner"), partitionsOfOrders());
        assertEquals(List.of("orders_2031_01", "orders_2031_02", "orders_2031_03"),
                rows("SELECT relname FROM pg_class WHERE relname ~ '^orders_2031_0[1-3]$' AND NOT relispartition ORDER BY 1"), "detached, not dropped");
        awaitMetric("shopdb_partitions_behind", 1.0, labels);
        awaitMetric("shopdb_partitions_ahead", 2.0, labels);
        assertTrue(Conditions.isReady(db.getStatus()));

        // a table that is not range-partitioned cannot be maintained: Stalled with the reason, the rest untouched
        sql("CREATE TABLE sales.plain (id int)");
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("pt").edit(d -> {
            PartitionSpec plain = new PartitionSpec();
            plain.setTable("sales.plain");
            plain.setInterval(PartitionSpec.Interval.day);
            d.getSpec().getPartitions().add(plain);
            return d;
        });
        db = awaitCondition(PostgresDatabase.class, "pt", Conditions.STALLED, DatabasePartitions.INVALID_TABLE);
        assertTrue(Conditions.find(db.getStatus(), Conditions.STALLED).getMessage().contains("sales.plain is not a partitioned table"),
                Conditions.find(db.getStatus(), Conditions.STALLED).getMessage());
    }

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private static PartitionStatus table(PostgresDatabase db) {
        return db.getStatus().getPartitions().get(0);
    }

    private PostgresDatabase awaitTable(Predicate<PartitionStatus> condition) {
        return await(PostgresDatabase.class, "pt", d -> d.getStatus() != null && d.getStatus().getPartitions() != null
                && !d.getStatus().getPartitions().isEmpty() && condition.test(table(d)));
    }

    private void awaitMetric(String name, double value, String... labels) {
        String[] all = new String[labels.length + 2];
        all[0] = "namespace=\"" + ns() + "\"";
        all[1] = "database=\"pt\"";
        System.arraycopy(labels, 0, all, 2, labels.length);
        Awaitility.await().atMost(READY_TIMEOUT).pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> Objects.equals(value, Scrapes.sample(Scrapes.scrape(), name, all)));
    }

    /** Statements as the database's owner, as a migration run with runAs would. */
    private void sql(String... statements) throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("SET ROLE pt_owner");
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private List<String> partitionsOfOrders() throws SQLException {
        return rows("SELECT c.relname || ' ' || pg_get_userbyid(c.relowner) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'sales.orders'::regclass ORDER BY 1");
    }

    private List<String> rows(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private Connection superuser() throws SQLException {
        return PgConnections.open(endpoint("pt-db-rw", "pt", "postgres", GeneratedSecrets.read(client, ns(), "pt-db-superuser", "password")));
    }
}
