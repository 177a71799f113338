package io.shopdb.operator.sql;

import io.shopdb.operator.sql.DesiredDatabase.DesiredExtension;
import io.shopdb.operator.sql.DesiredDatabase.DesiredSchema;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.sql.GrantPlanTest.descriptions;
import static io.shopdb.operator.sql.GrantPgTest.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class DatabasePgTest {
    final TestPostgres pg;

    DatabasePgTest(TestPostgres pg) {
        this.pg = pg;
    }

    /** What a controller does: the database on the server, then its contents through a connection to it. */
    List<SqlStep> reconcile(DesiredDatabase d) throws SQLException {
        List<SqlStep> all = new java.util.ArrayList<>();
        try (Connection c = pg.connect()) {
            List<SqlStep> plan = DatabasePlan.plan(d, DatabaseCatalog.read(c, d.name()));
            assertEquals(plan.size(), SqlSteps.apply(c, plan));
            all.addAll(plan);
        }
        try (Connection c = pg.connect(d.name())) {
            List<SqlStep> plan = DatabasePlan.planContents(d, DatabaseCatalog.readContents(c));
            assertEquals(plan.size(), SqlSteps.apply(c, plan));
            all.addAll(plan);
        }
        return all;
    }

    List<SqlStep> plan(DesiredDatabase d) throws SQLException {
        List<SqlStep> all = new java.util.ArrayList<>();
        try (Connection c = pg.connect()) {
            all.addAll(DatabasePlan.plan(d, DatabaseCatalog.read(c, d.name())));
        }
        try (Connection c = pg.connect(d.name())) {
            all.addAll(DatabasePlan.planContents(d, DatabaseCatalog.readContents(c)));
        }
        return all;
    }

    @Test
    void createsWithSchemasAndExtensionsThenReplansEmpty() throws SQLException {
        String db = SqlTestNames.unique("shopdb");
        String app = SqlTestNames.unique("app");
        String other = SqlTestNames.unique("other");
        pg.exec("postgres", "CREATE ROLE " + app, "CREATE ROLE " + other);
        DesiredDatabase d = new DesiredDatabase(db, app, "UTF8", "C.UTF-8", "template0",
                List.of(new DesiredSchema("shop", null, false), new DesiredSchema("ext", other, false)),
                List.of(new DesiredExtension("pgcrypto", null, null, false),
                        new DesiredExtension("citext", "1.4", "ext", false),
                        new DesiredExtension("pg_trgm", null, "shop", false),
                        new DesiredExtension("pg_stat_statements", null, null, false),
                        new DesiredExtension("uuid-ossp", null, "ext", false)));
        assertEquals(8, reconcile(d).size());
        assertEquals(List.of(), plan(d), "steady state: no DDL");

        try (Connection c = pg.connect()) {
            ActualDatabase a = DatabaseCatalog.read(c, db);
            assertEquals(new ActualDatabase(db, app, "UTF8", "C.UTF-8", "C.UTF-8"), a);
            assertEquals(List.of(), DatabasePlan.immutableDrift(d, a));
            ActualDatabase.Status status = DatabaseCatalog.status(c, db);
            assertEquals(app, status.owner());
            assertTrue(status.sizeBytes() > 1_000_000, "a real size: " + status.sizeBytes());
        }
        try (Connection c = pg.connect(db)) {
            ActualDatabase.Contents contents = DatabaseCatalog.readContents(c);
            assertEquals(app, contents.schemas().get("shop"));
            assertEquals(other, contents.schemas().get("ext"));
            assertEquals(new ActualDatabase.Extension("1.4", "ext"), contents.extensions().get("citext"));
            assertEquals("shop", contents.extensions().get("pg_trgm").schema());
            assertEquals(36, single(c, "SELECT length(ext.uuid_generate_v4()::text)"));
        }

        // owner drift and a declared version bump, then declared absence
        pg.exec("postgres", "ALTER DATABASE " + db + " OWNER TO " + other);
        pg.exec(db, "ALTER SCHEMA shop OWNER TO " + other);
        DesiredDatabase next = new DesiredDatabase(db, app, "UTF8", "C.UTF-8", "template0",
                List.of(new DesiredSchema("shop", null, false), new DesiredSchema("ext", other, false)),
                List.of(new DesiredExtension("citext", "1.6", "ext", false),
                        new DesiredExtension("pg_trgm", null, null, true)));
        assertEquals(List.of(
                "ALTER DATABASE " + db + " OWNER TO " + app,
                "ALTER SCHEMA shop OWNER TO " + app,
                "ALTER EXTENSION citext UPDATE TO 1.6",
                "DROP EXTENSION pg_trgm"), descriptions(reconcile(next)));
        assertEquals(List.of(), plan(next));
        try (Connection c = pg.connect(db)) {
            Map<String, ActualDatabase.Extension> ext = DatabaseCatalog.readContents(c).extensions();
            assertEquals("1.6", ext.get("citext").version());
            assertFalse(ext.containsKey("pg_trgm"));
            assertTrue(ext.containsKey("pgcrypto"), "undeclared extensions are left alone");
        }
    }

    @Test
    void nonEmptySchemaIsNotDroppedAndDataSurvives() throws SQLException {
        String db = SqlTestNames.unique("keep");
        reconcile(new DesiredDatabase(db, null, null, null, null, List.of(new DesiredSchema("old", null, false)), null));
        pg.exec(db, "CREATE TABLE old.precious (id int)", "INSERT INTO old.precious VALUES (1)");
        DesiredDatabase dropOld = new DesiredDatabase(db, null, null, null, null, List.of(new DesiredSchema("old", null, true)), null);
        SQLException e = assertThrows(SQLException.class, () -> reconcile(dropOld));
        assertTrue(e.getMessage().contains("DROP SCHEMA old"), e.getMessage());
        assertTrue(e.getMessage().contains("depend"), e.getMessage());
        try (Connection c = pg.connect(db)) {
            assertEquals(1, single(c, "SELECT count(*) FROM old.precious"));
        }
        pg.exec(db, "DROP TABLE old.precious");
        assertEquals(List.of("DROP SCHEMA old"), descriptions(reconcile(dropOld)));
        assertEquals(List.of(), plan(dropOld));
    }

    @Test
    void hostileDatabaseNameIsCreatedExactly() throws SQLException {
        String name = "we\"ird; DROP TABLE x; --" + SqlTestNames.unique("");
        String canary = SqlTestNames.unique("canary");
        pg.exec("postgres", "CREATE DATABASE " + canary);
        pg.exec(canary, "CREATE TABLE x (id int)");
        DesiredDatabase d = new DesiredDatabase(name, null, null, null, null,
                List.of(new DesiredSchema("s'; DROP SCHEMA public; --", null, false)), null);
        reconcile(d);
        assertEquals(List.of(), plan(d));
        try (Connection c = pg.connect()) {
            assertNotNull(DatabaseCatalog.read(c, name));
        }
        try (Connection c = pg.connect(name)) {
            assertTrue(DatabaseCatalog.readContents(c).schemas().keySet().containsAll(List.of("public", "s'; DROP SCHEMA public; --")));
        }
        try (Connection c = pg.connect(canary)) {
            assertEquals(0, single(c, "SELECT count(*) FROM x"));
        }
        try (Connection c = pg.connect()) {
            assertTrue(DatabaseCatalog.drop(c, name));
        }
    }

    @Test
    void dropRefusesWhileSessionsAreConnected() throws SQLException {
        String db = SqlTestNames.unique("busy");
        reconcile(new DesiredDatabase(db, null, null, null, null, null, null));
        try (Connection app = pg.connect(db); Connection admin = pg.connect()) {
            SQLException e = assertThrows(SQLException.class, () -> DatabaseCatalog.drop(admin, db));
            assertEquals("database " + db + " was not dropped: 1 other session(s) are connected to it; disconnect them and retry",
                    e.getMessage());
            assertNotNull(DatabaseCatalog.read(admin, db));
            assertEquals(1, single(app, "SELECT 1"));
        }
        try (Connection c = pg.connect()) {
            assertTrue(DatabaseCatalog.drop(c, db));
            assertNull(DatabaseCatalog.read(c, db));
            assertFalse(DatabaseCatalog.drop(c, db));
            assertNull(DatabaseCatalog.status(c, db));
        }
    }
}
