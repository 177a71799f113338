package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualGrants.DefaultHeld;
import io.shopdb.operator.sql.ActualGrants.Held;
import io.shopdb.operator.sql.DesiredGrants.AllInSchema;
import io.shopdb.operator.sql.DesiredGrants.Defaults;
import io.shopdb.operator.sql.DesiredGrants.OnSchema;
import io.shopdb.operator.sql.DesiredGrants.OnTable;
import io.shopdb.operator.sql.ObjectRef.TypeName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantPlanTest {
    static final ObjectRef DB = ObjectRef.database("shop");
    static final ObjectRef SHOP = ObjectRef.schema("shop");
    static final ObjectRef ORDERS = ObjectRef.table("shop", "orders");
    static final ObjectRef ITEMS = ObjectRef.table("shop", "items");
    static final ObjectRef SEQ = ObjectRef.sequence("shop", "orders_id_seq");
    static final ObjectRef FN = ObjectRef.function("shop", "total",
            List.of(new TypeName("pg_catalog", "int4"), new TypeName("pg_catalog", "text")));
    static final Set<ObjectRef> INVENTORY = Set.of(DB, SHOP, ORDERS, ITEMS, SEQ, FN, ObjectRef.schema("public"));

    static DesiredGrants reporting() {
        return new DesiredGrants("reporting", Set.of("connect"),
                List.of(new OnSchema("shop", Set.of("USAGE"))),
                List.of(new AllInSchema(ObjectKind.TABLE, "shop", Set.of("SELECT")),
                        new AllInSchema(ObjectKind.SEQUENCE, "shop", Set.of("USAGE", "SELECT"))),
                List.of(),
                List.of(new Defaults("app", "shop", ObjectKind.TABLE, Set.of("SELECT"))));
    }

    static ActualGrants actual(Set<Held> held, Set<DefaultHeld> defaults) {
        return new ActualGrants("reporting", "shop", INVENTORY, Set.of(), held, defaults, Set.of("app", "reporting"));
    }

    static Set<Held> reportingHeld() {
        return Set.of(new Held(DB, "CONNECT", false), new Held(SHOP, "USAGE", false),
                new Held(ORDERS, "SELECT", false), new Held(ITEMS, "SELECT", false),
                new Held(SEQ, "USAGE", false), new Held(SEQ, "SELECT", false));
    }

    static Set<DefaultHeld> reportingDefaults() {
        return Set.of(new DefaultHeld("app", "shop", ObjectKind.TABLE, "SELECT", false));
    }

    @Test
    void fromNothingGrantsEverythingPerObjectInAStableOrder() {
        List<SqlStep> plan = GrantPlan.plan(reporting(), actual(Set.of(), Set.of()));
        assertEquals(List.of(
                "GRANT CONNECT ON DATABASE shop TO reporting",
                "GRANT USAGE ON SCHEMA shop TO reporting",
                "GRANT SELECT ON TABLE shop.items TO reporting",
                "GRANT SELECT ON TABLE shop.orders TO reporting",
                "GRANT USAGE, SELECT ON SEQUENCE shop.orders_id_seq TO reporting",
                "ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA shop GRANT SELECT ON TABLES TO reporting"),
                descriptions(plan));
        assertEquals(List.of(
                "GRANT CONNECT ON DATABASE \"shop\" TO \"reporting\"",
                "GRANT USAGE ON SCHEMA \"shop\" TO \"reporting\"",
                "GRANT SELECT ON TABLE \"shop\".\"items\" TO \"reporting\"",
                "GRANT SELECT ON TABLE \"shop\".\"orders\" TO \"reporting\"",
                "GRANT USAGE, SELECT ON SEQUENCE \"shop\".\"orders_id_seq\" TO \"reporting\"",
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"app\" IN SCHEMA \"shop\" GRANT SELECT ON TABLES TO \"reporting\""),
                sql(plan));
    }

    @Test
    void steadyStateIsAnEmptyPlan() {
        assertEquals(List.of(), GrantPlan.plan(reporting(), actual(reportingHeld(), reportingDefaults())));
    }

    @Test
    void extraPrivilegesAreRevokedAndMissingOnesGranted() {
        Set<Held> held = new HashSet<>(reportingHeld());
        held.remove(new Held(ITEMS, "SELECT", false));
        held.add(new Held(ORDERS, "DELETE", false));
        held.add(new Held(ORDERS, "INSERT", false));
        held.add(new Held(ObjectRef.schema("public"), "CREATE", false));
        held.add(new Held(FN, "EXECUTE", false));
        held.add(new Held(DB, "TEMPORARY", false));
        Set<DefaultHeld> defaults = Set.of(new DefaultHeld("app", "shop", ObjectKind.TABLE, "SELECT", false),
                new DefaultHeld("app", "shop", ObjectKind.TABLE, "UPDATE", false),
                new DefaultHeld("app", null, ObjectKind.FUNCTION, "EXECUTE", false));
        assertEquals(List.of(
                "REVOKE TEMPORARY ON DATABASE shop FROM reporting",
                "REVOKE CREATE ON SCHEMA public FROM reporting",
                "GRANT SELECT ON TABLE shop.items TO reporting",
                "REVOKE INSERT, DELETE ON TABLE shop.orders FROM reporting",
                "REVOKE EXECUTE ON FUNCTION shop.total(int4, text) FROM reporting",
                "ALTER DEFAULT PRIVILEGES FOR ROLE app REVOKE EXECUTE ON FUNCTIONS FROM reporting",
                "ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA shop REVOKE UPDATE ON TABLES FROM reporting"),
                descriptions(GrantPlan.plan(reporting(), actual(held, defaults))));
    }

    @Test
    void functionsAreNamedByQuotedArgumentTypes() {
        DesiredGrants d = new DesiredGrants("reporting", Set.of(), null,
                List.of(new AllInSchema(ObjectKind.FUNCTION, "shop", Set.of("execute"))), null, null);
        assertEquals(List.of("GRANT EXECUTE ON ROUTINE \"shop\".\"total\"(\"pg_catalog\".\"int4\", \"pg_catalog\".\"text\") TO \"reporting\""),
                sql(GrantPlan.plan(d, actual(Set.of(), Set.of()))));
    }

    @Test
    void grantOptionIsTakenBackWithoutLosingTheDeclaredPrivilege() {
        DesiredGrants d = new DesiredGrants("reporting", Set.of("CONNECT"), null, null, null, null);
        assertEquals(List.of("REVOKE GRANT OPTION FOR CONNECT ON DATABASE \"shop\" FROM \"reporting\""),
                sql(GrantPlan.plan(d, actual(Set.of(new Held(DB, "CONNECT", true)), Set.of()))));
    }

    @Test
    void ownedObjectsAreNeitherGrantedNorRevoked() {
        DesiredGrants d = new DesiredGrants("reporting", Set.of(), null, null,
                List.of(new OnTable("shop", "orders", Set.of("SELECT"))), null);
        ActualGrants a = new ActualGrants("reporting", "shop", INVENTORY, Set.of(ORDERS), Set.of(), Set.of(), Set.of());
        assertEquals(List.of(), GrantPlan.plan(d, a));
    }

    @Test
    void missingObjectsAreReportedNotPlanned() {
        DesiredGrants d = new DesiredGrants("reporting", Set.of(),
                List.of(new OnSchema("later", Set.of("USAGE"))),
                List.of(new AllInSchema(ObjectKind.TABLE, "nowhere", Set.of("SELECT"))),
                List.of(new OnTable("shop", "not_yet", Set.of("SELECT")), new OnTable("shop", "orders", Set.of("SELECT"))),
                List.of(new Defaults("ghost", "shop", ObjectKind.TABLE, Set.of("SELECT"))));
        ActualGrants a = actual(Set.of(), Set.of());
        assertEquals(List.of("GRANT SELECT ON TABLE shop.orders TO reporting"), descriptions(GrantPlan.plan(d, a)));
        assertEquals(List.of("SCHEMA later does not exist", "SCHEMA nowhere does not exist",
                "TABLE shop.not_yet does not exist", "role ghost (creator in default privileges) does not exist"),
                GrantPlan.unresolved(d, a));
    }

    @Test
    void privilegesAreValidatedAndCanonicalised() {
        assertEquals(Set.of("CONNECT", "TEMPORARY"), ObjectKind.DATABASE.normalize(List.of("connect", "TEMP")));
        assertEquals(Set.copyOf(ObjectKind.TABLE.privileges()), ObjectKind.TABLE.normalize(List.of("ALL")));
        assertThrows(IllegalArgumentException.class, () -> ObjectKind.SEQUENCE.normalize(List.of("DELETE")));
        assertThrows(IllegalArgumentException.class,
                () -> ObjectKind.TABLE.normalize(List.of("SELECT; DROP TABLE x")));
        assertThrows(IllegalArgumentException.class,
                () -> new AllInSchema(ObjectKind.SCHEMA, "shop", Set.of("USAGE")));
    }

    @Test
    void hostileNamesAreQuotedNeverExecuted() {
        String role = "we\"ird; DROP TABLE x; --";
        String schema = "sch'é;ma";
        String table = "t\"; DELETE FROM y";
        ObjectRef t = ObjectRef.table(schema, table);
        DesiredGrants d = new DesiredGrants(role, Set.of(), null, null,
                List.of(new OnTable(schema, table, Set.of("SELECT"))), List.of(new Defaults("app", schema, ObjectKind.TABLE, Set.of("SELECT"))));
        ActualGrants a = new ActualGrants(role, "shop", Set.of(DB, ObjectRef.schema(schema), t), Set.of(), Set.of(),
                Set.of(), Set.of("app"));
        assertEquals(List.of(
                "GRANT SELECT ON TABLE \"sch'é;ma\".\"t\"\"; DELETE FROM y\" TO \"we\"\"ird; DROP TABLE x; --\"",
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"app\" IN SCHEMA \"sch'é;ma\" GRANT SELECT ON TABLES TO \"we\"\"ird; DROP TABLE x; --\""),
                sql(GrantPlan.plan(d, a)));
    }

    @Test
    void namesAreLimitedTo63Bytes() {
        String ok = "é".repeat(31) + "x"; // 63 bytes
        String tooLong = "é".repeat(32); // 64 bytes
        assertEquals(63, ok.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertTrue(GrantPlan.plan(DesiredGrants.none(ok),
                new ActualGrants(ok, "shop", Set.of(DB), Set.of(), Set.of(), Set.of(), Set.of())).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> DesiredGrants.none(tooLong));
        assertThrows(IllegalArgumentException.class, () -> new OnSchema(tooLong, Set.of("USAGE")));
    }

    static List<String> descriptions(List<SqlStep> plan) {
        return plan.stream().map(SqlStep::description).toList();
    }

    static List<String> sql(List<SqlStep> plan) {
        return plan.stream().map(SqlStep::sql).toList();
    }
}
