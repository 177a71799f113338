package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
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
 * query used is caught as a plan change; the check moves to a replica once the cluster has one.
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

    private PostgresDatabase awaitBudget(String name, Predicate<QueryBudgetStatus> condition) {
        return await(PostgresDatabase.class, "qb", d -> d.getStatus() != null && d.getStatus().getQueryBudgets() != null
                && d.getStatus().getQueryBudgets().stream().anyMatch(b -> b != null && name.equals(b.getName()) && condition.test(b)));
    }

    private static QueryBudgetStatus budget(PostgresDatabase db, String name) {
        return db.getStatus().getQueryBudgets().stream().filter(b -> name.equals(b.getName())).findFirst().orElseThrow();
    }

    private List<String> warnings(String reason) {
        return client.resources(Event.class).inNamespace(ns()).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()) && "qb".equals(e.getRegarding().getName())).map(Event::getNote).toList();
    }

    private void awaitMetric(String name, double value, String label) {
        Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> Objects.equals(value, Scrapes.sample(Scrapes.scrape(), name, "namespace=\"" + ns() + "\"", "database=\"qb\"", label)));
    }

    private void scripts(Map<String, String> data) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("qb-scripts").withNamespace(ns()).endMetadata()
                .withData(new LinkedHashMap<>(data)).build()).createOr(existing -> existing.update());
    }
}
