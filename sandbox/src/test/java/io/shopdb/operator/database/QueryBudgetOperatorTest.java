package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.api.v1alpha1.QueryBudgetSpec;
import io.shopdb.operator.api.v1alpha1.QueryBudgetStatus;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.Scrapes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spec.queryBudgets through the running operator: checked right after each migration, as the reporting role; a
 * query slower than its budget is Exceeded (status, metric, Warning Event); a migration that drops the index the
 * query used is caught as a plan change; the check moves to a replica once the cluster has one. With checkBudgets:
 * OnCopy a migration that would make a budgeted query slow is stopped on a copy and never reaches production.
 */
@QuarkusTest
class QueryBudgetOperatorTest extends OperatorTestBase {
    static final String V1 = """
            CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
            INSERT INTO app.orders SELECT g, g % 1000, g % 97 FROM generate_series(1, 50000) g;
            CREATE INDEX orders_customer ON app.orders (customer_id);
            ANALYZE app.orders;
            GRANT USAGE ON SCHEMA app TO qb_reporting;
            GRANT SELECT ON app.orders TO qb_reporting;
            """;

    @Test
    void budgetsAreCheckedAfterEachMigrationAndARegressionIsCaught() {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: qb-reporting}
                spec:
                  clusterRef: {name: qb-db}
                  name: qb_reporting
                  login: false
                  grants:
                    - database: qb
                      privileges: [CONNECT]
                      schemas: [{name: app, privileges: [USAGE], tables: [SELECT]}]
                """, PostgresRole.class));
        clusterWithDatabase("qb", """
                schemas: [{name: app}]
                  queryBudgets:
                    - {name: customer-orders, runAs: qb_reporting, maxDuration: 5s, runOn: Primary,
                       sql: "SELECT sum(total) FROM app.orders WHERE customer_id = 42"}
                    - {name: slow-report, runAs: qb_reporting, maxDuration: 100ms, timeout: 5s, runOn: Primary,
                       sql: "SELECT count(*) FROM app.orders, pg_sleep(0.3)"}""");
        // before the migration the table is missing: the checks run, fail with the reason, and are retried
        PostgresDatabase db = awaitBudget("customer-orders", b -> b.getVerdict() == QueryBudgetStatus.Verdict.Failed);
        assertTrue(budget(db, "customer-orders").getMessage().contains("SQLSTATE"), budget(db, "customer-orders").getMessage());
        assertTrue(Conditions.isReady(db.getStatus()), "a budget does not make the database unready");
        // retried at each re-check; a failure that stays is a Warning at the second check, not at the first
        awaitBudget("customer-orders", b -> b.getFailedChecks() != null && b.getFailedChecks() >= 2);
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> warnings(QueryBudgets.CHECK_FAILED).stream().anyMatch(n -> n.startsWith("customer-orders: ")));

        scripts(Map.of("V1__orders.sql", V1));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: qb-schema}
                spec:
                  databaseRef: {name: qb}
                  schemas: [app]
                  sources: [{configMap: qb-scripts}]
                """, PostgresMigration.class));
        db = awaitBudget("customer-orders", b -> "qb-schema@1".equals(b.getAfterMigrations()) && b.getVerdict() == QueryBudgetStatus.Verdict.Within);
        QueryBudgetStatus indexed = budget(db, "customer-orders");
        assertTrue(indexed.getPlanShape().contains("Index Scan"), indexed.getPlanShape());
        assertEquals("Primary", indexed.getRanOn());
        assertEquals(5000L, indexed.getBudgetMillis());
        db = awaitBudget("slow-report", b -> "qb-schema@1".equals(b.getAfterMigrations()));
        QueryBudgetStatus slow = budget(db, "slow-report");
        assertEquals(QueryBudgetStatus.Verdict.Exceeded, slow.getVerdict(), slow.getMessage());
        assertTrue(slow.getDurationMillis() >= 300, slow.getMessage());
        awaitMetric("shopdb_query_budget_exceeded", 1.0, "query=\"slow-report\"");
        awaitMetric("shopdb_query_budget_exceeded", 0.0, "query=\"customer-orders\"");
        awaitMetric("shopdb_query_budget_seconds", 0.1, "query=\"slow-report\"");
        assertTrue(warnings(QueryBudgets.EXCEEDED).stream().anyMatch(m -> m.startsWith("slow-report exceeded its budget on the primary")),
                warnings(QueryBudgets.EXCEEDED).toString());

        // the regression made on purpose: V2 drops the index the query used
        scripts(Map.of("V1__orders.sql", V1, "V2__drop_index.sql", "DROP INDEX app.orders_customer;"));
        db = awaitBudget("customer-orders", b -> "qb-schema@2".equals(b.getAfterMigrations()));
        QueryBudgetStatus scanned = budget(db, "customer-orders");
        assertTrue(scanned.getPlanShape().contains("Seq Scan") && !scanned.getPlanShape().contains("Index"), scanned.getPlanShape());
        assertFalse(indexed.getPlanHash().equals(scanned.getPlanHash()));
        assertEquals(1, scanned.getPlanChanges());
        awaitMetric("shopdb_query_plan_changes", 1.0, "query=\"customer-orders\"");
        String changed = warnings(QueryBudgets.PLAN_CHANGED).stream().filter(m -> m.startsWith("customer-orders")).findFirst().orElse("");
        assertTrue(changed.contains(indexed.getPlanHash() + " to " + scanned.getPlanHash()), changed);

        // with a replica, the check of a budget that says runOn: Replica runs there
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("qb-db").edit(c -> { c.getSpec().setInstances(2); return c; });
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("qb").edit(d -> {
            d.getSpec().getQueryBudgets().get(0).setRunOn(QueryBudgetSpec.RunOn.Replica);
            return d;
        });
        db = awaitBudget("customer-orders", b -> "Replica".equals(b.getRanOn()) && b.getVerdict() == QueryBudgetStatus.Verdict.Within);
        assertEquals(scanned.getPlanHash(), budget(db, "customer-orders").getPlanHash(), "the replica has the same data and plan");
        assertEquals(1, budget(db, "customer-orders").getPlanChanges(), "a changed declaration is not a plan change");
    }

    static final String FAST_VIEW = """
            CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
            INSERT INTO app.orders SELECT g, g % 1000, g % 97 FROM generate_series(1, 20000) g;
            CREATE INDEX orders_customer ON app.orders (customer_id);
            CREATE VIEW app.customer_totals AS SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY customer_id;
            GRANT USAGE ON SCHEMA app TO qg_reporting;
            GRANT SELECT ON app.orders, app.customer_totals TO qg_reporting;
            """;

    @Test
    void aMigrationThatWouldBreakABudgetIsStoppedOnACopyBeforeProduction() throws Exception {
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("qg-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: qg-reporting}
                spec: {clusterRef: {name: qg-db}, name: qg_reporting, login: false}
                """, PostgresRole.class));
        clusterWithDatabase("qg", """
                schemas: [{name: app}]
                  queryBudgets:
                    - {name: customer-total, runAs: qg_reporting, maxDuration: 200ms, timeout: 10s, runOn: Primary,
                       sql: "SELECT total FROM app.customer_totals WHERE customer_id = 42"}""");
        scripts("qg-scripts", Map.of("V1__orders.sql", FAST_VIEW));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: qg-schema}
                spec:
                  databaseRef: {name: qg}
                  schemas: [app]
                  sources: [{configMap: qg-scripts}]
                  backupBefore: {target: {pvc: {claimName: qg-store, subPath: pre-migration}}}
                  checkBudgets: OnCopy
                """, PostgresMigration.class));
        // V1 itself passes through a copy: the budget is met there, then production is migrated
        PostgresMigration v1 = await(PostgresMigration.class, "qg-schema", m -> Conditions.isReady(m.getStatus()) && "1".equals(m.getStatus().getCurrentVersion()));
        assertEquals(Boolean.TRUE, v1.getStatus().getBudgetCheck().getPassed(), v1.getStatus().getBudgetCheck().getResults().toString());
        assertTrue(v1.getStatus().getBudgetCheck().getResults().get(0).startsWith("customer-total: within"), v1.getStatus().getBudgetCheck().getResults().toString());

        // V2 makes the view slow on purpose: stopped on the copy, production stays at V1 with the fast view
        scripts("qg-scripts", Map.of("V1__orders.sql", FAST_VIEW, "V2__slow_view.sql",
                "CREATE OR REPLACE VIEW app.customer_totals AS SELECT o.customer_id, sum(o.total) AS total FROM app.orders o, pg_sleep(0.5) GROUP BY o.customer_id;"));
        PostgresMigration stopped = awaitCondition(PostgresMigration.class, "qg-schema", Conditions.STALLED, "QueryBudgetExceededOnCopy");
        String message = Conditions.find(stopped.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.startsWith("Production was not migrated: on a migrated copy") && message.contains("customer-total: exceeded"), message);
        assertEquals("1", stopped.getStatus().getCurrentVersion());
        assertEquals(Boolean.FALSE, stopped.getStatus().getBudgetCheck().getPassed());
        assertEquals(List.of("1"), rows("qg", "SELECT max(version) FROM app.flyway_schema_history WHERE success"), "production untouched");
        assertEquals(List.of(), rows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'shopdb\\_copy\\_%'"), "the copy is dropped");
        assertTrue(warnings(BUDGET_EXCEEDED_ON_COPY, "qg-schema").stream().anyMatch(n -> n.contains("customer-total: exceeded")));

        // the fix: a V2 that keeps the view fast passes on a new copy and reaches production
        scripts("qg-scripts", Map.of("V1__orders.sql", FAST_VIEW, "V2__slow_view.sql",
                "CREATE OR REPLACE VIEW app.customer_totals AS SELECT customer_id, sum(total) AS total, count(*) AS orders FROM app.orders GROUP BY customer_id;"
                        + "\nGRANT SELECT ON app.customer_totals TO qg_reporting;"));
        PostgresMigration fixed = await(PostgresMigration.class, "qg-schema", m -> Conditions.isReady(m.getStatus()) && "2".equals(m.getStatus().getCurrentVersion()));
        assertEquals(Boolean.TRUE, fixed.getStatus().getBudgetCheck().getPassed(), fixed.getStatus().getBudgetCheck().getResults().toString());
        assertEquals(List.of(), rows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'shopdb\\_copy\\_%'"));
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.resources(PostgresRestore.class).inNamespace(ns()).list().getItems().stream()
                .noneMatch(r -> r.getMetadata().getName().startsWith("qg-schema-copy-")));
    }

    static final String BUDGET_EXCEEDED_ON_COPY = "QueryBudgetExceededOnCopy";

    private List<String> rows(String database, String query) throws java.sql.SQLException {
        List<String> out = new java.util.ArrayList<>();
        char[] password = GeneratedSecrets.read(client, ns(), "qg-db-superuser", "password");
        try (var c = PgConnections.open(endpoint("qg-db-rw", database, "postgres", password)); var st = c.createStatement();
             var rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private PostgresDatabase awaitBudget(String name, Predicate<QueryBudgetStatus> condition) {
        return await(PostgresDatabase.class, "qb", d -> d.getStatus() != null && d.getStatus().getQueryBudgets() != null
                && d.getStatus().getQueryBudgets().stream().anyMatch(b -> b != null && name.equals(b.getName()) && condition.test(b)));
    }

    private static QueryBudgetStatus budget(PostgresDatabase db, String name) {
        return db.getStatus().getQueryBudgets().stream().filter(b -> name.equals(b.getName())).findFirst().orElseThrow();
    }

    private List<String> warnings(String reason) {
        return warnings(reason, "qb");
    }

    private List<String> warnings(String reason, String regarding) {
        return client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()) && regarding.equals(e.getRegarding().getName())).map(Event::getNote).toList();
    }

    private void awaitMetric(String name, double value, String label) {
        Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> Objects.equals(value, Scrapes.sample(Scrapes.scrape(), name, "namespace=\"" + ns() + "\"", "database=\"qb\"", label)));
    }

    private void scripts(Map<String, String> data) {
        scripts("qb-scripts", data);
    }

    private void scripts(String name, Map<String, String> data) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns()).endMetadata()
                .withData(new LinkedHashMap<>(data)).build()).createOr(existing -> existing.update());
    }
}
