package io.shopdb.operator.sql;

import io.shopdb.operator.sql.DesiredGrants.AllInSchema;
import io.shopdb.operator.sql.DesiredGrants.Defaults;
import io.shopdb.operator.sql.DesiredGrants.OnSchema;
import io.shopdb.operator.sql.DesiredGrants.OnTable;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

import static io.shopdb.operator.sql.GrantPlanTest.descriptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class GrantPgTest {
    static final char[] PASSWORD = "grant-test-password".toCharArray();

    final TestPostgres pg;
    String db;
    String app;
    String reader;

    GrantPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    /** A database with schema shop owned by the app role (the creator), two tables, a sequence and a function. */
    @BeforeEach
    void setUp() throws Exception {
        db = SqlTestNames.unique("grants");
        app = SqlTestNames.unique("app");
        reader = SqlTestNames.unique("reader");
        pg.exec("postgres", "CREATE ROLE " + app + " LOGIN", "CREATE ROLE " + reader + " LOGIN",
                "CREATE DATABASE " + db);
        pg.exec(db, "CREATE SCHEMA shop AUTHORIZATION " + app,
                "SET ROLE " + app,
                "CREATE TABLE shop.orders (id serial PRIMARY KEY, total numeric)",
                "CREATE TABLE shop.items (id int, name text)",
                "CREATE FUNCTION shop.double_it(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2'",
                "INSERT INTO shop.orders (total) VALUES (10), (20)");
        try (Connection c = pg.connect()) {
            RoleCatalog.ensurePassword(c, reader, PASSWORD);
        }
    }

    DesiredGrants readOnly(String role) {
        return new DesiredGrants(role, Set.of("CONNECT"),
                List.of(new OnSchema("shop", Set.of("USAGE"))),
                List.of(new AllInSchema(ObjectKind.TABLE, "shop", Set.of("SELECT")),
                        new AllInSchema(ObjectKind.SEQUENCE, "shop", Set.of("SELECT"))),
                List.of(),
                List.of(new Defaults(app, "shop", ObjectKind.TABLE, Set.of("SELECT"))));
    }

    List<SqlStep> reconcile(DesiredGrants desired) throws SQLException {
        try (Connection c = pg.connect(db)) {
            List<SqlStep> plan = GrantPlan.plan(desired, read(c, desired));
            assertEquals(plan.size(), SqlSteps.apply(c, plan));
            return plan;
        }
    }

    /** As the operator reads: only the default-privilege creators among all roles. */
    static ActualGrants read(Connection c, DesiredGrants desired) throws SQLException {
        return GrantCatalog.read(c, desired.role(), desired.defaults().stream().map(DesiredGrants.Defaults::creator).toList());
    }

    List<SqlStep> plan(DesiredGrants desired) throws SQLException {
        try (Connection c = pg.connect(db)) {
            return GrantPlan.plan(desired, read(c, desired));
        }
    }

    @Test
    void appliesDeclaredGrantsThenReplansEmpty() throws SQLException {
        List<SqlStep> first = reconcile(readOnly(reader));
        assertEquals(List.of(
                "GRANT CONNECT ON DATABASE " + db + " TO " + reader,
                "GRANT USAGE ON SCHEMA shop TO " + reader,
                "GRANT SELECT ON TABLE shop.items TO " + reader,
                "GRANT SELECT ON TABLE shop.orders TO " + reader,
                "GRANT SELECT ON SEQUENCE shop.orders_id_seq TO " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + app + " IN SCHEMA shop GRANT SELECT ON TABLES TO " + reader),
                descriptions(first));
        assertEquals(List.of(), plan(readOnly(reader)), "steady state: no DDL");
        assertTrue(has("has_table_privilege('" + reader + "', 'shop.orders', 'SELECT')"));
        assertFalse(has("has_table_privilege('" + reader + "', 'shop.orders', 'INSERT')"));
    }

    @Test
    void handMadeDriftIsReverted() throws SQLException {
        reconcile(readOnly(reader));
        pg.exec(db, "GRANT DELETE ON shop.orders TO " + reader,
                "REVOKE SELECT ON shop.items FROM " + reader,
                "GRANT CREATE ON SCHEMA public TO " + reader,
                "GRANT EXECUTE ON FUNCTION shop.double_it(int) TO " + reader + " WITH GRANT OPTION",
                "GRANT TEMPORARY ON DATABASE " + db + " TO " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + app + " GRANT EXECUTE ON FUNCTIONS TO " + reader);
        assertEquals(List.of(
                "REVOKE TEMPORARY ON DATABASE " + db + " FROM " + reader,
                "REVOKE CREATE ON SCHEMA public FROM " + reader,
                "GRANT SELECT ON TABLE shop.items TO " + reader,
                "REVOKE DELETE ON TABLE shop.orders FROM " + reader,
                "REVOKE EXECUTE ON FUNCTION shop.double_it(int4) FROM " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + app + " REVOKE EXECUTE ON FUNCTIONS FROM " + reader),
                descriptions(reconcile(readOnly(reader))));
        assertEquals(List.of(), plan(readOnly(reader)));
        assertFalse(has("has_table_privilege('" + reader + "', 'shop.orders', 'DELETE')"));
        assertTrue(has("has_table_privilege('" + reader + "', 'shop.items', 'SELECT')"));
        assertFalse(has("has_schema_privilege('" + reader + "', 'public', 'CREATE')"));
        assertFalse(has("EXISTS (SELECT FROM pg_default_acl WHERE defaclnamespace = 0)"));
    }

    @Test
    void ownerRightsAndPublicGrantsAreLeftAlone() throws SQLException {
        // the app role owns everything in shop: nothing to grant or revoke for it, even when declared
        DesiredGrants ownerDeclares = new DesiredGrants(app, Set.of(), null,
                List.of(new AllInSchema(ObjectKind.TABLE, "shop", Set.of("SELECT"))), null, null);
        assertEquals(List.of(), plan(ownerDeclares));
        assertEquals(List.of(), plan(DesiredGrants.none(app)));
        pg.exec(db, "GRANT SELECT ON shop.items TO PUBLIC");
        assertEquals(List.of(), plan(DesiredGrants.none(reader)), "PUBLIC grants are out of scope");
    }

    @Test
    void defaultPrivilegesReachTablesTheCreatorMakesLater() throws SQLException {
        reconcile(readOnly(reader));
        pg.exec(db, "SET ROLE " + app, "CREATE TABLE shop.later (id int)", "INSERT INTO shop.later VALUES (7)");
        try (Connection c = PgConnections.open(pg.endpoint(db, reader, PASSWORD))) {
            assertEquals(7, single(c, "SELECT id FROM shop.later"));
        }
        assertEquals(List.of(), plan(readOnly(reader)), "the new table already has what ALL TABLES declares");
    }

    @Test
    void loginsProveReadOnlyReadWriteAndCopy() throws Exception {
        String writer = SqlTestNames.unique("writer");
        String etl = SqlTestNames.unique("etl");
        pg.exec("postgres", "CREATE ROLE " + writer + " LOGIN", "CREATE ROLE " + etl + " LOGIN");
        try (Connection c = pg.connect()) {
            RoleCatalog.ensurePassword(c, writer, PASSWORD);
            RoleCatalog.ensurePassword(c, etl, PASSWORD);
        }
        reconcile(readOnly(reader));
        reconcile(new DesiredGrants(writer, Set.of("CONNECT"), List.of(new OnSchema("shop", Set.of("USAGE"))),
                List.of(new AllInSchema(ObjectKind.TABLE, "shop", Set.of("SELECT", "INSERT", "UPDATE", "DELETE")),
                        new AllInSchema(ObjectKind.SEQUENCE, "shop", Set.of("USAGE", "SELECT"))),
                null, null));
        reconcile(new DesiredGrants(etl, Set.of("CONNECT"), List.of(new OnSchema("shop", Set.of("USAGE"))), null,
                List.of(new OnTable("shop", "items", Set.of("INSERT"))), null));

        try (Connection c = PgConnections.open(pg.endpoint(db, reader, PASSWORD))) {
            assertEquals(2, single(c, "SELECT count(*) FROM shop.orders"));
            SQLException e = assertThrows(SQLException.class, () -> exec(c, "INSERT INTO shop.orders (total) VALUES (1)"));
            assertEquals("42501", e.getSQLState(), "insufficient_privilege");
        }
        try (Connection c = PgConnections.open(pg.endpoint(db, writer, PASSWORD))) {
            exec(c, "INSERT INTO shop.orders (total) VALUES (30)");
            assertEquals(3, single(c, "SELECT count(*) FROM shop.orders"));
            exec(c, "DELETE FROM shop.orders WHERE total = 30");
        }
        try (Connection c = PgConnections.open(pg.endpoint(db, etl, PASSWORD))) {
            long copied = new CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class))
                    .copyIn("COPY shop.items (id, name) FROM STDIN", new StringReader("1\tpen\n2\tink\n"));
            assertEquals(2, copied);
            assertThrows(SQLException.class, () -> single(c, "SELECT count(*) FROM shop.items"), "INSERT only");
        }
        try (Connection c = pg.connect(db)) {
            assertEquals(2, single(c, "SELECT count(*) FROM shop.items"));
        }
    }

    @Test
    void hostileTableAndRoleNamesAreGrantedExactly() throws SQLException {
        String hostile = "we\"ird; DROP TABLE x; --" + SqlTestNames.unique("");
        String table = "t'ä\"ble; DROP TABLE shop.orders; --";
        pg.exec("postgres", "CREATE ROLE " + Identifiers.quote(hostile));
        pg.exec(db, "CREATE TABLE shop." + Identifiers.quote(table) + " (id int)");
        DesiredGrants d = new DesiredGrants(hostile, Set.of(), List.of(new OnSchema("shop", Set.of("USAGE"))), null,
                List.of(new OnTable("shop", table, Set.of("SELECT"))), null);
        assertEquals(List.of("GRANT USAGE ON SCHEMA shop TO " + hostile, "GRANT SELECT ON TABLE shop." + table + " TO " + hostile),
                descriptions(reconcile(d)));
        assertEquals(List.of(), plan(d));
        try (Connection c = pg.connect(db)) {
            assertEquals(2, single(c, "SELECT count(*) FROM shop.orders"), "nothing was dropped");
        }
    }

    boolean has(String predicate) throws SQLException {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); var rs = st.executeQuery("SELECT " + predicate)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static long single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
