package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partition maintenance on a real server, with dates far ahead standing in for months passing: an orders
 * table shaped like the shop's (identity key, a foreign key out, order items pointing in, a default partition).
 */
@ExtendWith(PostgresExtension.class)
class PartitionPgTest {
    final TestPostgres pg;
    String db;

    PartitionPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @BeforeEach
    void shopLikeTables() throws SQLException {
        db = SqlTestNames.unique("parts");
        String owner = db + "_owner";
        pg.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db);
        pg.exec(db, "CREATE SCHEMA sales AUTHORIZATION " + owner, "SET ROLE " + owner,
                "CREATE TABLE sales.customers (id bigint PRIMARY KEY)",
                "INSERT INTO sales.customers VALUES (1), (2)",
                "CREATE TABLE sales.orders (id bigint GENERATED ALWAYS AS IDENTITY, customer_id bigint NOT NULL REFERENCES sales.customers (id), "
                        + "total numeric(12,2) NOT NULL CHECK (total >= 0), created_at timestamptz NOT NULL DEFAULT now(), "
                        + "PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)",
                "CREATE INDEX orders_customer_created_idx ON sales.orders (customer_id, created_at DESC)",
                "CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT",
                "CREATE TABLE sales.order_items (order_id bigint NOT NULL, order_created_at timestamptz NOT NULL, line_no int NOT NULL, "
                        + "PRIMARY KEY (order_id, line_no), FOREIGN KEY (order_id, order_created_at) REFERENCES sales.orders (id, created_at))");
    }

    PartitionMaintenance.Result run(DesiredPartitions desired, LocalDate today) throws Exception {
        try (Connection c = pg.connect(db)) {
            return PartitionMaintenance.run(c, desired, today);
        }
    }

    List<String> partitions() throws SQLException {
        return strings("SELECT c.relname || ' ' || pg_get_userbyid(c.relowner) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'sales.orders'::regclass ORDER BY 1");
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Test
    void monthsPassPartitionsAppearAheadRowsLeaveTheDefaultOldMonthsAreDetached() throws Exception {
        String owner = db + "_owner";
        var desired = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 2, 3, false, true);

        // 2031-01: the current month and two ahead, owned by the table's owner
        var first = run(desired, LocalDate.of(2031, 1, 20));
        assertNull(first.failure());
        assertEquals(3, first.applied().size(), first.applied().toString());
        assertEquals(List.of("orders_2031_01 " + owner, "orders_2031_02 " + owner, "orders_2031_03 " + owner, "orders_default " + owner), partitions());
        assertEquals(new PartitionPlan.Report(2, "2031-04-01", 0, "2031-01-01", true, 0, List.of()), first.report());

        // the same day again: nothing to do
        assertEquals(List.of(), run(desired, LocalDate.of(2031, 1, 31)).applied());

        // orders (with items pointing at them) land in the default partition: June is not there yet
        pg.exec(db, "INSERT INTO sales.orders (customer_id, total, created_at) VALUES (1, 10, '2031-06-03 10:00+00'), (2, 20, '2031-06-30 23:59:59+00'), "
                        + "(1, 30, '2031-07-01 00:00+00')",
                "INSERT INTO sales.order_items SELECT id, created_at, 1 FROM sales.orders");
        // the plain CREATE is what fails without the move
        SQLException plain = assertThrows(SQLException.class, () -> pg.exec(db, "CREATE TABLE sales.orders_x PARTITION OF sales.orders "
                + "FOR VALUES FROM ('2031-06-01 00:00+00') TO ('2031-07-01 00:00+00')"));
        assertTrue(plain.getMessage().contains("updated partition constraint for default partition"), plain.getMessage());

        // 2031-03: one month passed twice; April and May ahead, June and July built from the stray rows
        var later = run(desired, LocalDate.of(2031, 3, 2));
        assertNull(later.failure(), String.valueOf(later.failure()));
        assertEquals(0, later.report().defaultRows());
        assertEquals(List.of("0"), strings("SELECT count(*) FROM ONLY sales.orders_default"), "the default partition is empty");
        assertEquals(List.of("orders_2031_06 2", "orders_2031_07 1"),
                strings("SELECT t || ' ' || count(*) FROM (SELECT tableoid::regclass::text AS t FROM sales.orders) o GROUP BY t ORDER BY t")
                        .stream().map(s -> s.replace("sales.", "")).toList());
        assertEquals(List.of("orders_2031_01", "orders_2031_02", "orders_2031_03", "orders_2031_04", "orders_2031_05", "orders_2031_06",
                "orders_2031_07", "orders_default"), partitions().stream().map(s -> s.split(" ")[0]).toList());
        assertTrue(partitions().stream().allMatch(s -> s.endsWith(" " + owner)), partitions().toString());
        // the moved partitions got the parent's indexes, and the order items still point at their orders
        assertEquals(List.of("orders_2031_06_customer_id_created_at_idx", "orders_2031_06_pkey"),
                strings("SELECT indexname FROM pg_indexes WHERE tablename = 'orders_2031_06' ORDER BY 1"));
        SQLException fk = assertThrows(SQLException.class, () -> pg.exec(db, "DELETE FROM sales.orders WHERE created_at = '2031-06-03 10:00+00'"));
        assertEquals("23503", fk.getSQLState(), "foreign keys still hold on the moved rows");
        var report = later.report();
        assertEquals(4, report.ahead(), "April, May, June, July");
        assertEquals("2031-08-01", report.newestBound());

        // 2031-07: keep 3 months before July (April..June); January..March are detached, kept as plain tables
        var summer = run(desired, LocalDate.of(2031, 7, 10));
        assertNull(summer.failure(), String.valueOf(summer.failure()));
        assertEquals(List.of("orders_2031_04", "orders_2031_05", "orders_2031_06", "orders_2031_07", "orders_2031_08", "orders_2031_09", "orders_default"),
                partitions().stream().map(s -> s.split(" ")[0]).toList());
        assertEquals(List.of("orders_2031_01 false", "orders_2031_02 false", "orders_2031_03 false"),
                strings("SELECT relname || ' ' || relispartition FROM pg_class WHERE relname IN ('orders_2031_01', 'orders_2031_02', 'orders_2031_03') ORDER BY 1"));
        assertEquals(new PartitionPlan.Report(2, "2031-10-01", 3, "2031-04-01", true, 0, List.of()), summer.report());
        assertTrue(run(desired, LocalDate.of(2031, 7, 31)).applied().isEmpty(), "steady again");
    }

    @Test
    void dropRetentionRemovesOldMonthsButAPartitionStillReferencedIsReportedAndTheMonthsAheadStillCome() throws Exception {
        var desired = new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 1, 1, true, true);
        run(new DesiredPartitions("sales", "orders", PartitionInterval.MONTH, 3, null, false, true), LocalDate.of(2032, 1, 5));
        pg.exec(db, "INSERT INTO sales.orders (customer_id, total, created_at) VALUES (1, 1, '2032-01-10 00:00+00')",
                "INSERT INTO sales.order_items SELECT id, created_at, 1 FROM sales.orders");

        // 2032-04: keep March; January is referenced by an order item, so PostgreSQL refuses to detach it
        var blocked = run(desired, LocalDate.of(2032, 4, 1));
        assertNotNull(blocked.failure());
        assertTrue(blocked.failure().getMessage().contains("violates foreign key constraint"), blocked.failure().getMessage());
        assertTrue(partitions().stream().anyMatch(p -> p.startsWith("orders_2032_05")), "May came anyway: " + partitions());
        assertTrue(partitions().stream().anyMatch(p -> p.startsWith("orders_2032_01")), "nothing was detached: " + partitions());

        // once the referencing rows are gone, January and February go, and the tables with them
        pg.exec(db, "DELETE FROM sales.order_items");
        var dropped = run(desired, LocalDate.of(2032, 4, 1));
        assertNull(dropped.failure(), String.valueOf(dropped.failure()));
        assertEquals(List.of("orders_2032_03", "orders_2032_04", "orders_2032_05", "orders_default"), partitions().stream().map(s -> s.split(" ")[0]).toList());
        assertEquals(List.of(), strings("SELECT relname FROM pg_class WHERE relname IN ('orders_2032_01', 'orders_2032_02')"));
    }

    @Test
    void aTableThatIsNotRangePartitionedIsRefusedAndAMissingOneIsNoError() throws Exception {
        pg.exec(db, "CREATE TABLE sales.plain (id int)", "CREATE TABLE sales.listed (k text) PARTITION BY LIST (k)");
        var plain = assertThrows(PartitionCatalog.UnsupportedTableException.class,
                () -> run(new DesiredPartitions("sales", "plain", PartitionInterval.DAY, 1, null, false, true), LocalDate.of(2030, 1, 1)));
        assertTrue(plain.getMessage().contains("sales.plain is not a partitioned table"), plain.getMessage());
        var listed = assertThrows(PartitionCatalog.UnsupportedTableException.class,
                () -> run(new DesiredPartitions("sales", "listed", PartitionInterval.DAY, 1, null, false, true), LocalDate.of(2030, 1, 1)));
        assertTrue(listed.getMessage().contains("partitioned by LIST"), listed.getMessage());
        var missing = run(new DesiredPartitions("sales", "later", PartitionInterval.DAY, 1, null, false, true), LocalDate.of(2030, 1, 1));
        assertNull(missing.report());
        assertEquals(List.of(), missing.applied());
    }
}
