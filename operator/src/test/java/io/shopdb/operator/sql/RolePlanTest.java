package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.shopdb.operator.sql.GrantPlanTest.descriptions;
import static io.shopdb.operator.sql.GrantPlanTest.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RolePlanTest {

    static ActualRole plain(String name, boolean login, int limit, Instant validUntil, Set<String> memberOf) {
        return new ActualRole(name, login, true, limit, validUntil, memberOf, false, false, false, false, false, false);
    }

    @Test
    void createsWithAttributesThenMemberships() {
        DesiredRole d = new DesiredRole("app", true, true, 20, "2030-01-01T02:00:00+02:00", List.of("writers", "readers"));
        assertEquals(List.of(
                "CREATE ROLE \"app\" WITH LOGIN INHERIT CONNECTION LIMIT 20 VALID UNTIL '2030-01-01T00:00:00Z'",
                "GRANT \"readers\" TO \"app\"",
                "GRANT \"writers\" TO \"app\""), sql(RolePlan.plan(d, null)));
        assertEquals(List.of("CREATE ROLE reader WITH NOLOGIN NOINHERIT"),
                descriptions(RolePlan.plan(new DesiredRole("reader", false, false, null, null, null), null)));
    }

    @Test
    void steadyStateIsAnEmptyPlan() {
        DesiredRole d = new DesiredRole("app", true, true, 20, "2030-01-01T00:00:00Z", List.of("readers"));
        ActualRole a = plain("app", true, 20, Instant.parse("2030-01-01T00:00:00Z"), Set.of("readers"));
        assertEquals(List.of(), RolePlan.plan(d, a));
        assertEquals(List.of(), RolePlan.plan(new DesiredRole("app", true, true, -1, "infinity", null),
                plain("app", true, -1, null, Set.of())));
    }

    @Test
    void differencesBecomeOneAlterAndMembershipDriftIsReverted() {
        DesiredRole d = new DesiredRole("app", false, true, 5, null, List.of("readers"));
        ActualRole a = plain("app", true, -1, Instant.parse("2029-06-01T00:00:00Z"), Set.of("admins", "writers"));
        assertEquals(List.of(
                "ALTER ROLE app WITH NOLOGIN CONNECTION LIMIT 5 VALID UNTIL 'infinity'",
                "REVOKE admins FROM app",
                "REVOKE writers FROM app",
                "GRANT readers TO app"), descriptions(RolePlan.plan(d, a)));
    }

    @Test
    void powerfulAttributesAreResetAsDrift() {
        DesiredRole d = new DesiredRole("app", true, true, null, null, null);
        ActualRole a = new ActualRole("app", true, true, -1, null, Set.of(), true, true, true, true, true, false);
        assertEquals(List.of("ALTER ROLE \"app\" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"),
                sql(RolePlan.plan(d, a)));
    }

    @Test
    void protectedRolesAreRefused() {
        DesiredRole d = new DesiredRole("postgres", true, true, null, null, null);
        ActualRole a = new ActualRole("postgres", true, true, -1, null, Set.of(), true, true, true, true, true, true);
        assertThrows(IllegalStateException.class, () -> RolePlan.plan(d, a));
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("pg_monitor", true, true, null, null, null));
    }

    @Test
    void invalidValuesAreRefusedBeforeAnySql() {
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("a", true, true, -2, null, null));
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("a", true, true, null, "tomorrow'; DROP ROLE x; --", null));
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("a", true, true, null, "2030-01-01T00:00:00", null));
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("a", true, true, null, null, List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> new DesiredRole("é".repeat(32), true, true, null, null, null));
    }

    @Test
    void hostileNamesAreQuoted() {
        String name = "we\"ird; DROP TABLE x; --";
        String parent = "ünï'cødé";
        assertEquals(List.of("CREATE ROLE \"we\"\"ird; DROP TABLE x; --\" WITH LOGIN INHERIT",
                        "GRANT \"ünï'cødé\" TO \"we\"\"ird; DROP TABLE x; --\""),
                sql(RolePlan.plan(new DesiredRole(name, true, true, null, null, List.of(parent)), null)));
    }
}
