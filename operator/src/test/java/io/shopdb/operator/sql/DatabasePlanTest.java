package io.shopdb.operator.sql;

import io.shopdb.operator.sql.DesiredDatabase.DesiredExtension;
import io.shopdb.operator.sql.DesiredDatabase.DesiredSchema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.shopdb.operator.sql.GrantPlanTest.descriptions;
import static io.shopdb.operator.sql.GrantPlanTest.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabasePlanTest {

    static DesiredDatabase shop() {
        return new DesiredDatabase("shop", "app", "UTF8", "C.UTF-8", "template0",
                List.of(new DesiredSchema("shop", null, false), new DesiredSchema("audit", "auditor", false)),
                List.of(new DesiredExtension("pgcrypto", null, null, false),
                        new DesiredExtension("citext", "1.6", "shop", false)));
    }

    @Test
    void createsTheDatabaseWithCreationOnlySettings() {
        List<SqlStep> plan = DatabasePlan.plan(shop(), null);
        assertEquals(List.of("CREATE DATABASE \"shop\" OWNER \"app\" TEMPLATE \"template0\" ENCODING 'UTF8' LOCALE 'C.UTF-8'"), sql(plan));
        assertTrue(plan.get(0).needsAutocommit());
    }

    @Test
    void steadyStateIsEmptyAndOwnerDriftIsFixed() {
        assertEquals(List.of(), DatabasePlan.plan(shop(), new ActualDatabase("shop", "app", "UTF8", "C.utf8", "C.utf8")));
        assertEquals(List.of(), DatabasePlan.immutableDrift(shop(), new ActualDatabase("shop", "app", "UTF8", "C.utf8", "C.utf8")));
        assertEquals(List.of("ALTER DATABASE \"shop\" OWNER TO \"app\""),
                sql(DatabasePlan.plan(shop(), new ActualDatabase("shop", "postgres", "UTF8", "C.utf8", "C.utf8"))));
        assertEquals(2, DatabasePlan.immutableDrift(shop(), new ActualDatabase("shop", "app", "SQL_ASCII", "C", "C")).size());
    }

    @Test
    void contentsFromScratchThenSteadyState() {
        ActualDatabase.Contents empty = new ActualDatabase.Contents(Map.of("public", "pg_database_owner"),
                Map.of("plpgsql", new ActualDatabase.Extension("1.0", "pg_catalog")));
        assertEquals(List.of(
                "CREATE SCHEMA \"audit\" AUTHORIZATION \"auditor\"",
                "CREATE SCHEMA \"shop\" AUTHORIZATION \"app\"",
                "CREATE EXTENSION \"citext\" SCHEMA \"shop\" VERSION '1.6'",
                "CREATE EXTENSION \"pgcrypto\""), sql(DatabasePlan.planContents(shop(), empty)));
        ActualDatabase.Contents done = new ActualDatabase.Contents(
                Map.of("public", "pg_database_owner", "shop", "app", "audit", "auditor"),
                Map.of("plpgsql", new ActualDatabase.Extension("1.0", "pg_catalog"),
                        "pgcrypto", new ActualDatabase.Extension("1.3", "public"),
                        "citext", new ActualDatabase.Extension("1.6", "shop")));
        assertEquals(List.of(), DatabasePlan.planContents(shop(), done));
    }

    @Test
    void driftAndDeclaredAbsenceOrderedSafely() {
        DesiredDatabase d = new DesiredDatabase("shop", "app", null, null, null,
                List.of(new DesiredSchema("shop", null, false), new DesiredSchema("old", null, true)),
                List.of(new DesiredExtension("citext", "1.6", "public", false), new DesiredExtension("pg_trgm", null, null, true)));
        ActualDatabase.Contents actual = new ActualDatabase.Contents(Map.of("shop", "postgres", "old", "app", "other", "x"),
                Map.of("citext", new ActualDatabase.Extension("1.4", "old"), "pg_trgm", new ActualDatabase.Extension("1.6", "old")));
        assertEquals(List.of(
                "ALTER SCHEMA shop OWNER TO app",
                "ALTER EXTENSION citext UPDATE TO 1.6",
                "ALTER EXTENSION citext SET SCHEMA public",
                "DROP EXTENSION pg_trgm",
                "DROP SCHEMA old"), descriptions(DatabasePlan.planContents(d, actual)));
        assertEquals("DROP SCHEMA \"old\" RESTRICT", DatabasePlan.planContents(d, actual).get(4).sql());
    }

    @Test
    void hostileNamesAndValuesNeverBecomeSql() {
        String name = "we\"ird; DROP TABLE x; --";
        DesiredDatabase d = new DesiredDatabase(name, "ö'wner", null, null, null,
                List.of(new DesiredSchema("s\"; --", null, false)), List.of(new DesiredExtension("uuid-ossp", null, null, false)));
        assertEquals(List.of("CREATE DATABASE \"we\"\"ird; DROP TABLE x; --\" OWNER \"ö'wner\""), sql(DatabasePlan.plan(d, null)));
        assertEquals(List.of("CREATE SCHEMA \"s\"\"; --\" AUTHORIZATION \"ö'wner\"", "CREATE EXTENSION \"uuid-ossp\""),
                sql(DatabasePlan.planContents(d, new ActualDatabase.Contents(Map.of(), Map.of()))));
        assertThrows(IllegalArgumentException.class, () -> new DesiredDatabase("a", null, "UTF8'; DROP DATABASE b; --", null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new DesiredDatabase("a", null, null, "C' --", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new DesiredExtension("citext", "1.6'", null, false));
        assertThrows(IllegalArgumentException.class, () -> new DesiredSchema("pg_mine", null, false));
        assertThrows(IllegalArgumentException.class, () -> new DesiredDatabase("x".repeat(64), null, null, null, null, null, null));
    }
}
