package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.shopdb.operator.sql.GrantPlanTest.descriptions;
import static io.shopdb.operator.sql.GrantPgTest.single;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class RolePgTest {
    final TestPostgres pg;

    RolePgTest(TestPostgres pg) {
        this.pg = pg;
    }

    List<SqlStep> reconcile(DesiredRole desired) throws SQLException {
        try (Connection c = pg.connect()) {
            List<SqlStep> plan = RolePlan.plan(desired, RoleCatalog.read(c, desired.name()));
            assertEquals(plan.size(), SqlSteps.apply(c, plan));
            return plan;
        }
    }

    List<SqlStep> plan(DesiredRole desired) throws SQLException {
        try (Connection c = pg.connect()) {
            return RolePlan.plan(desired, RoleCatalog.read(c, desired.name()));
        }
    }

    @Test
    void createsAltersAndThenReplansEmpty() throws SQLException {
        String name = SqlTestNames.unique("role");
        String readers = SqlTestNames.unique("readers");
        pg.exec("postgres", "CREATE ROLE " + readers);
        DesiredRole first = new DesiredRole(name, true, true, 10, "2031-05-01T12:00:00+02:00", List.of(readers));
        assertEquals(2, reconcile(first).size());
        assertEquals(List.of(), plan(first), "steady state: no DDL");
        try (Connection c = pg.connect()) {
            ActualRole a = RoleCatalog.read(c, name);
            assertEquals(new ActualRole(name, true, true, 10, Instant.parse("2031-05-01T10:00:00Z"), Set.of(readers),
                    false, false, false, false, false, false), a);
        }
        DesiredRole second = new DesiredRole(name, false, false, null, null, List.of(readers));
        assertEquals(List.of("ALTER ROLE " + name + " WITH NOLOGIN NOINHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity'"),
                descriptions(reconcile(second)));
        assertEquals(List.of(), plan(second));
        try (Connection c = pg.connect()) {
            assertNull(RoleCatalog.read(c, name).validUntil());
            assertNull(RoleCatalog.read(c, SqlTestNames.unique("absent")));
        }
    }

    @Test
    void membershipAndAttributesAddedByHandAreReverted() throws SQLException {
        String name = SqlTestNames.unique("member");
        String readers = SqlTestNames.unique("readers");
        String admins = SqlTestNames.unique("admins");
        pg.exec("postgres", "CREATE ROLE " + readers, "CREATE ROLE " + admins);
        DesiredRole d = new DesiredRole(name, true, true, null, null, List.of(readers));
        reconcile(d);
        pg.exec("postgres", "GRANT " + admins + " TO " + name, "REVOKE " + readers + " FROM " + name,
                "ALTER ROLE " + name + " CREATEDB CREATEROLE BYPASSRLS");
        assertEquals(List.of(
                "ALTER ROLE " + name + " WITH NOCREATEDB NOCREATEROLE NOBYPASSRLS",
                "REVOKE " + admins + " FROM " + name,
                "GRANT " + readers + " TO " + name), descriptions(reconcile(d)));
        assertEquals(List.of(), plan(d));
        try (Connection c = pg.connect()) {
            assertEquals(Set.of(readers), RoleCatalog.read(c, name).memberOf());
            assertFalse(RoleCatalog.read(c, name).createDb());
        }
    }

    @Test
    void theOperatorsOwnLoginIsNeverManaged() throws SQLException {
        DesiredRole d = new DesiredRole(TestPostgres.SUPERUSER, true, true, null, null, null);
        assertThrows(IllegalStateException.class, () -> plan(d));
        try (Connection c = pg.connect()) {
            assertThrows(IllegalStateException.class, () -> RoleCatalog.drop(c, TestPostgres.SUPERUSER));
        }
    }

    @Test
    void passwordIsSetOnlyWhenItChangesAndRotates() throws SQLException {
        String name = SqlTestNames.unique("login");
        reconcile(new DesiredRole(name, true, true, null, null, null));
        char[] first = "first-secret-1".toCharArray();
        char[] second = "second-secret-2".toCharArray();
        try (Connection c = pg.connect()) {
            assertTrue(RoleCatalog.ensurePassword(c, name, first));
            assertFalse(RoleCatalog.ensurePassword(c, name, first), "same password: no change");
            assertArrayEquals("first-secret-1".toCharArray(), first, "the caller's array is left intact");
            assertTrue(verifier(c, name).startsWith("SCRAM-SHA-256$"));
        }
        try (Connection c = PgConnections.open(pg.endpoint("postgres", name, first))) {
            assertEquals(1, single(c, "SELECT 1"));
        }
        try (Connection c = pg.connect()) {
            assertTrue(RoleCatalog.ensurePassword(c, name, second));
        }
        SQLException refused = assertThrows(SQLException.class,
                () -> PgConnections.open(pg.endpoint("postgres", name, first)).close(), "old password refused");
        assertFalse(refused.getMessage().contains("first-secret-1"));
        try (Connection c = PgConnections.open(pg.endpoint("postgres", name, second))) {
            assertEquals(1, single(c, "SELECT 1"));
        }
        try (Connection c = pg.connect()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RoleCatalog.ensurePassword(c, SqlTestNames.unique("nobody"), second));
            assertFalse(e.getMessage().contains("second-secret-2"));
        }
    }

    @Test
    void hostileNameIsCreatedExactlyAndNothingIsDropped() throws Exception {
        String hostile = "we\"ird; DROP TABLE x; --" + SqlTestNames.unique("");
        String db = SqlTestNames.unique("canary");
        pg.exec("postgres", "CREATE DATABASE " + db);
        pg.exec(db, "CREATE TABLE x (id int)");
        reconcile(new DesiredRole(hostile, true, true, null, null, null));
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, hostile);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
            assertTrue(RoleCatalog.ensurePassword(c, hostile, "p'w\"; --".toCharArray()));
        }
        try (Connection c = pg.connect(db)) {
            assertEquals(0, single(c, "SELECT count(*) FROM x"), "table x still exists");
        }
        try (Connection c = pg.connect()) {
            assertDoesNotThrowRoleInUse(c, hostile);
        }
    }

    @Test
    void dropRefusesWhileTheRoleOwnsObjectsAndChangesNothing() throws Exception {
        String name = SqlTestNames.unique("owner");
        String db = SqlTestNames.unique("owned");
        String other = SqlTestNames.unique("otherdb");
        reconcile(new DesiredRole(name, true, true, null, null, null));
        pg.exec("postgres", "CREATE DATABASE " + db, "CREATE DATABASE " + other);
        pg.exec(db, "CREATE TABLE orders (id int)", "ALTER TABLE orders OWNER TO " + name,
                "GRANT SELECT ON TABLE pg_class TO " + name);
        pg.exec(other, "CREATE TABLE t (id int)", "GRANT SELECT ON t TO " + name);

        try (Connection c = pg.connect()) {
            RoleInUseException e = assertThrows(RoleInUseException.class, () -> RoleCatalog.drop(c, name));
            assertEquals(List.of("objects in database " + db), e.owns());
            assertEquals(List.copyOf(new java.util.TreeSet<>(List.of("database " + db, "database " + other))), e.privilegesIn());
            assertTrue(e.getMessage().contains("owns objects in database " + db), e.getMessage());
            assertNotNull(RoleCatalog.read(c, name), "the role is still there");
        }
        try (Connection c = pg.connect(db)) {
            assertThrows(RoleInUseException.class, () -> RoleCatalog.dropPrivileges(c, name));
            assertEquals(1, single(c, "SELECT count(*) FROM pg_class WHERE relname = 'orders'"), "nothing dropped");
            assertTrue(GrantPgTest.single(c, "SELECT count(*) FROM information_schema.role_table_grants WHERE table_name = 'pg_class' AND grantee = '" + name + "'") > 0,
                    "privileges kept: refusal changes nothing");
        }
        pg.exec(db, "DROP TABLE orders");
        try (Connection c = pg.connect(db)) {
            RoleCatalog.dropPrivileges(c, name);
        }
        try (Connection c = pg.connect()) {
            RoleInUseException e = assertThrows(RoleInUseException.class, () -> RoleCatalog.drop(c, name));
            assertEquals(List.of(), e.owns());
            assertEquals(List.of("database " + other), e.privilegesIn(), "only the unmanaged database is left");
        }
        try (Connection c = pg.connect(other)) {
            RoleCatalog.dropPrivileges(c, name);
        }
        try (Connection c = pg.connect()) {
            assertTrue(RoleCatalog.drop(c, name));
            assertNull(RoleCatalog.read(c, name));
            assertFalse(RoleCatalog.drop(c, name), "already gone");
        }
    }

    private static void assertDoesNotThrowRoleInUse(Connection c, String role) throws Exception {
        try {
            assertTrue(RoleCatalog.drop(c, role));
        } catch (RoleInUseException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    private static String verifier(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RoleCatalog.VERIFIER)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
