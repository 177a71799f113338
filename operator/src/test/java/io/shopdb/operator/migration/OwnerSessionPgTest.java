package io.shopdb.operator.migration;

import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Migrations run on a session logged in as a throwaway member of the owner, never on a superuser's session that
 * switched role: a script's RESET ROLE gains nothing, and a superuser owner is refused.
 */
@ExtendWith(PostgresExtension.class)
class OwnerSessionPgTest {
    static final Script V1 = new Script("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n"
            + "CREATE TABLE who AS SELECT session_user::text AS session_role, current_user::text AS acting_role;");

    static FlywayRunner.Settings settings(String runAs) {
        return new FlywayRunner.Settings(List.of("app"), runAs, Map.of(), null, false, false, true, false, 10);
    }

    /** A database owned by a fresh NOLOGIN role, as the operator makes them; returns the database's endpoint (superuser). */
    static PgEndpoint ownedDatabase(TestPostgres pg, String name, String owner) throws SQLException {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + name, "DROP ROLE IF EXISTS " + owner, "CREATE ROLE " + owner,
                "CREATE DATABASE " + name + " OWNER " + owner);
        return pg.superuser().withDatabase(name);
    }

    static FlywayRunner.Report migrate(TestPostgres pg, PgEndpoint db, List<Script> scripts, String runAs) throws Exception {
        try (Connection admin = pg.connect(db.database())) {
            return FlywayRunner.migrateAsOwner(admin, db, scripts, settings(runAs), "spec.runAs", false);
        }
    }

    @Test
    void scriptsRunLoggedInAsAThrowawayMemberAndCreateAsTheOwner(TestPostgres pg) throws Exception {
        PgEndpoint db = ownedDatabase(pg, "own_apply", "own_apply_owner");
        var report = migrate(pg, db, List.of(V1), "own_apply_owner");
        assertNull(report.failure(), String.valueOf(report.failure()));
        assertEquals("1", report.currentVersion());
        assertEquals("own_apply_owner", one(pg, "own_apply", "SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'customers'"));
        assertEquals("own_apply_owner", one(pg, "own_apply",
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'flyway_schema_history'"), "the history table too");
        assertEquals("own_apply_owner", one(pg, "own_apply", "SELECT acting_role FROM app.who"));
        String sessionRole = one(pg, "own_apply", "SELECT session_role FROM app.who");
        assertTrue(sessionRole.startsWith("shopdb_mig_"), "logged in as the throwaway role, not the superuser: " + sessionRole);
        assertNoMigrationRoles(pg, "own_apply_owner");

        // a second run on the same history: the owner writes it
        Script v2 = new Script("V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);");
        var second = migrate(pg, db, List.of(V1, v2), "own_apply_owner");
        assertNull(second.failure(), String.valueOf(second.failure()));
        assertEquals("2", second.currentVersion());
        assertEquals(1, second.executed());
        assertNoMigrationRoles(pg, "own_apply_owner");
    }

    @Test
    void resetRoleGainsNothing(TestPostgres pg) throws Exception {
        PgEndpoint db = ownedDatabase(pg, "own_reset", "app_owner");
        assertNull(migrate(pg, db, List.of(V1), "app_owner").failure());

        Script escalate = new Script("V2__escalate.sql", "RESET ROLE;\nALTER ROLE app_owner SUPERUSER;\n");
        var report = migrate(pg, db, List.of(V1, escalate), "app_owner");
        assertNotNull(report.failure(), "RESET ROLE returned to the throwaway role, which may not make anyone a superuser");
        assertEquals("V2__escalate.sql", report.failure().script());
        assertEquals("42501", report.failure().sqlState(), report.failure().toString());
        assertEquals("false", one(pg, "postgres", "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'app_owner'"));
        assertEquals("1", report.currentVersion());
        assertNoMigrationRoles(pg, "app_owner");

        Path touched = Path.of("/tmp", "shopdb-mig-" + UUID.randomUUID());
        Script program = new Script("V2__program.sql", "RESET ROLE;\nCOPY (SELECT 1) TO PROGRAM 'touch " + touched + "';\n");
        var copy = migrate(pg, db, List.of(V1, program), "app_owner");
        assertNotNull(copy.failure());
        assertEquals("42501", copy.failure().sqlState(), copy.failure().toString());
        assertFalse(Files.exists(touched), "no program ran");

        // what a script makes after RESET ROLE (here a table in a schema the owner opened to PUBLIC) goes to the owner
        Script stray = new Script("V2__stray.sql", "GRANT CREATE ON SCHEMA app TO PUBLIC;\nRESET ROLE;\nCREATE TABLE app.stray (id int);\n"
                + "SET ROLE app_owner;\nREVOKE CREATE ON SCHEMA app FROM PUBLIC;\n");
        var strayReport = migrate(pg, db, List.of(V1, stray), "app_owner");
        assertNull(strayReport.failure(), String.valueOf(strayReport.failure()));
        assertEquals("app_owner", one(pg, "own_reset", "SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'stray'"));
        assertNoMigrationRoles(pg, "app_owner");
    }

    @Test
    void aSuperuserOrAMemberOfOneIsRefusedByName(TestPostgres pg) throws Exception {
        PgEndpoint db = ownedDatabase(pg, "own_refused", "own_refused_owner");
        pg.exec("postgres", "DROP ROLE IF EXISTS own_boss", "DROP ROLE IF EXISTS own_sneaky", "DROP ROLE IF EXISTS own_admin",
                "CREATE ROLE own_boss SUPERUSER", "CREATE ROLE own_sneaky IN ROLE own_boss", "CREATE ROLE own_admin CREATEROLE");

        var boss = assertThrows(OwnerSession.RefusedRoleException.class, () -> migrate(pg, db, List.of(V1), "own_boss"));
        assertFalse(boss.missing());
        assertTrue(boss.getMessage().startsWith("spec.runAs: own_boss has SUPERUSER"), boss.getMessage());

        var sneaky = assertThrows(OwnerSession.RefusedRoleException.class, () -> migrate(pg, db, List.of(V1), "own_sneaky"));
        assertTrue(sneaky.getMessage().contains("own_sneaky is a member of own_boss, which has SUPERUSER"), sneaky.getMessage());

        var admin = assertThrows(OwnerSession.RefusedRoleException.class, () -> migrate(pg, db, List.of(V1), "own_admin"));
        assertTrue(admin.getMessage().contains("own_admin has CREATEROLE"), admin.getMessage());

        var postgres = assertThrows(OwnerSession.RefusedRoleException.class, () -> migrate(pg, db, List.of(V1), "postgres"));
        assertTrue(postgres.getMessage().startsWith("spec.runAs: postgres has SUPERUSER"), postgres.getMessage());

        var missing = assertThrows(OwnerSession.RefusedRoleException.class, () -> migrate(pg, db, List.of(V1), "own_nobody"));
        assertTrue(missing.missing(), missing.getMessage());

        // the endpoint form reports it as a failure, and nothing ran
        var report = FlywayRunner.migrate(db, List.of(V1), settings("own_boss"));
        assertNotNull(report.failure());
        assertTrue(report.failure().message().contains("own_boss has SUPERUSER"), report.failure().message());
        assertFalse(report.failure().serverTrouble());
        assertEquals("false", one(pg, "own_refused", "SELECT (to_regclass('app.customers') IS NOT NULL)::text"));
        assertNoMigrationRoles(pg, "own_refused_owner", "own_boss", "own_sneaky", "own_admin", "postgres");
    }

    @Test
    void aFailedRunOutsideATransactionIsForgottenByTheOwner(TestPostgres pg) throws Exception {
        PgEndpoint db = ownedDatabase(pg, "own_nontx", "own_nontx_owner");
        Script broken = new Script("V2__index.sql", "CREATE INDEX CONCURRENTLY customers_by_email ON customers (no_such_column);");
        var failed = migrate(pg, db, List.of(V1, broken), "own_nontx_owner");
        assertNotNull(failed.failure());
        assertEquals(Boolean.FALSE, failed.failure().inTransaction());
        Script fixed = new Script("V2__index.sql", "CREATE INDEX CONCURRENTLY customers_by_email ON customers (email);");
        FlywayRunner.Report again;
        try (Connection admin = pg.connect("own_nontx")) {
            again = FlywayRunner.migrateAsOwner(admin, db, List.of(V1, fixed), settings("own_nontx_owner"), "spec.runAs", true);
        }
        assertNull(again.failure(), String.valueOf(again.failure()));
        assertEquals("2", again.currentVersion());
        assertNoMigrationRoles(pg, "own_nontx_owner");
    }

    @Test
    void anExpiredRoleLeftByADeadOperatorIsSwept(TestPostgres pg) throws Exception {
        PgEndpoint db = ownedDatabase(pg, "own_sweep", "own_sweep_owner");
        pg.exec("postgres", "DROP ROLE IF EXISTS shopdb_mig_000000dead00",
                "CREATE ROLE shopdb_mig_000000dead00 LOGIN NOINHERIT VALID UNTIL '2000-01-01'",
                "GRANT own_sweep_owner TO shopdb_mig_000000dead00");
        assertNull(migrate(pg, db, List.of(V1), "own_sweep_owner").failure());
        assertNoMigrationRoles(pg, "own_sweep_owner");
    }

    /** No throwaway role is left that is a member of {@code owners} (a leaked one keeps its membership). */
    private static void assertNoMigrationRoles(TestPostgres pg, String... owners) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_roles r"
                + " JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid"
                + " WHERE r.rolname LIKE 'shopdb\\_mig\\_%' AND g.rolname = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", owners));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the throwaway role is gone");
            }
        }
    }

    private static String one(TestPostgres pg, String database, String sql) throws SQLException {
        try (Connection c = pg.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
