package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class SqlStepsPgTest {

    @Test
    void aFailingStepRollsBackItsTransactionAndIsNamed(TestPostgres pg) throws SQLException {
        String role = SqlTestNames.unique("tx");
        List<SqlStep> plan = List.of(
                new SqlStep("CREATE ROLE " + role, "CREATE ROLE " + Identifiers.quote(role)),
                new SqlStep("GRANT missing TO " + role, "GRANT \"missing_role_zz\" TO " + Identifiers.quote(role)));
        try (Connection c = pg.connect()) {
            SQLException e = assertThrows(SQLException.class, () -> SqlSteps.apply(c, plan));
            assertTrue(e.getMessage().startsWith("step \"GRANT missing TO " + role + "\" failed: "), e.getMessage());
            assertTrue(c.getAutoCommit(), "the connection's autocommit is restored");
            assertNull(RoleCatalog.read(c, role), "the CREATE ROLE before it was rolled back");
        }
    }

    @Test
    void databaseStepsRunOutsideTheTransaction(TestPostgres pg) throws SQLException {
        String db = SqlTestNames.unique("txdb");
        String role = SqlTestNames.unique("txowner");
        List<SqlStep> plan = List.of(
                new SqlStep("CREATE ROLE " + role, "CREATE ROLE " + Identifiers.quote(role)),
                new SqlStep("CREATE DATABASE " + db, "CREATE DATABASE " + Identifiers.quote(db) + " OWNER " + Identifiers.quote(role)),
                new SqlStep("COMMENT", "COMMENT ON DATABASE " + Identifiers.quote(db) + " IS 'made by a plan'"));
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            assertEquals(3, SqlSteps.apply(c, plan));
            c.setAutoCommit(true);
            assertNotNull(DatabaseCatalog.read(c, db));
            assertEquals(role, DatabaseCatalog.read(c, db).owner());
            assertEquals(0, SqlSteps.apply(c, List.of()));
        }
    }

    @Test
    void aSessionKilledMidPlanIsReportedAsTheServerGoingNotAsTheCleanUpFailing(TestPostgres pg) throws SQLException {
        String role = SqlTestNames.unique("killed");
        List<SqlStep> plan = List.of(
                new SqlStep("CREATE ROLE " + role, "CREATE ROLE " + Identifiers.quote(role)),
                // what a server crash or an administrator's pg_terminate_backend does to the operator's session mid-plan
                new SqlStep("terminate", "SELECT pg_terminate_backend(pg_backend_pid())"));
        try (Connection c = pg.connect()) {
            SQLException e = assertThrows(SQLException.class, () -> SqlSteps.apply(c, plan));
            assertTrue(e.getMessage().startsWith("step \"terminate\" failed: "), e.getMessage());
            assertEquals(SqlErrors.SERVER_UNREACHABLE, SqlErrors.reason(e), "the rollback on the dead connection failed too, but " + e);
            assertTrue(e.getSuppressed().length > 0, "the failed clean-up is kept as suppressed");
        }
        try (Connection c = pg.connect()) {
            assertNull(RoleCatalog.read(c, role), "the plan's transaction died with its session");
        }
    }
}
