package io.shopdb.operator.faults;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.StatusHistory;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL killed (SIGKILL to the postmaster, as an OOM kill or a node's crash does; the sandbox kubelet
 * restarts it like a container) while the operator runs DDL. The window is made, not guessed: the test holds a
 * lock the operator's statement needs, sees that statement waiting in pg_stat_activity, then kills the server.
 * The next reconciles finish the work; in the meantime the resource says Reconciling, never Stalled (the
 * server's death is not the spec's fault).
 */
@QuarkusTest
class PostgresKillOperatorTest extends FaultTestBase {
    @Inject LocalKubelet kubelet;

    @Test
    void aGrantPlanInterruptedByAServerKillIsFinishedByTheNextReconcile() throws Exception {
        clusterWithDatabase("gk", "schemas: [{name: app}]");
        awaitReady(PostgresDatabase.class, "gk");
        try (Connection c = PgConnections.open(superuser("gk", "gk")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE app.orders (id int PRIMARY KEY)");
            st.execute("CREATE ROLE gk_other");
        }
        // an open transaction that changed the table's ACL row: the operator's GRANT on the table waits for it
        Connection blocker = PgConnections.open(superuser("gk", "gk"));
        try (StatusHistory<PostgresRoleStatus, PostgresRole> history = new StatusHistory<>(client, PostgresRole.class, ns())) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("GRANT SELECT ON app.orders TO gk_other");
            }
            create(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRole
                    metadata: {name: gk-app}
                    spec:
                      clusterRef: {name: gk-db}
                      name: gk_app
                      grants:
                        - database: gk
                          privileges: [CONNECT]
                          schemas:
                            - name: app
                              privileges: [USAGE]
                              tables: [SELECT, INSERT]
                    """, PostgresRole.class));
            String waiting = awaitWaitingStatement("gk", "gk", "GRANT%gk_app%");
            assertTrue(waiting.contains("app.orders") || waiting.contains("\"app\".\"orders\""), waiting);
            killServer("gk-db-0");

            PostgresRole ready = await(PostgresRole.class, "gk-app", r -> Conditions.isReady(r.getStatus())
                    && r.getMetadata().getGeneration().equals(r.getStatus().getObservedGeneration()));
            assertTrue(ready.getStatus().getUnresolvedGrants().isEmpty(), String.valueOf(ready.getStatus().getUnresolvedGrants()));
            try (Connection c = PgConnections.open(superuser("gk", "gk")); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT has_table_privilege('gk_app', 'app.orders', 'INSERT'), has_table_privilege('gk_app', 'app.orders', 'SELECT'),
                           has_schema_privilege('gk_app', 'app', 'USAGE'), has_database_privilege('gk_app', 'gk', 'CONNECT'),
                           has_table_privilege('gk_other', 'app.orders', 'SELECT')""")) {
                rs.next();
                assertEquals(List.of(true, true, true, true, false),
                        List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5)),
                        "the plan is complete; the killed transaction's GRANT is gone");
            }
            assertEquals(List.of(), stalled(history.of("gk-app")), "a killed server is retried, not Stalled");
            assertTrue(reasons(history.of("gk-app")).contains(SqlErrors.SERVER_UNREACHABLE),
                    "the interrupted reconcile says why: " + reasons(history.of("gk-app")));
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void aMigrationInterruptedByAServerKillIsRolledBackAndRunAgain() throws Exception {
        clusterWithDatabase("mk", "schemas: [{name: app}]");
        awaitReady(PostgresDatabase.class, "mk");
        scripts("mk", Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY);",
                // the advisory lock the test holds keeps V2 mid-transaction: the orders table made, the row not yet
                "V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nSELECT pg_advisory_xact_lock(4242);\nINSERT INTO orders VALUES (1);\n"));
        Connection blocker = PgConnections.open(superuser("mk", "mk"));
        try (StatusHistory<PostgresMigrationStatus, PostgresMigration> history = new StatusHistory<>(client, PostgresMigration.class, ns())) {
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT pg_advisory_lock(4242)");
            }
            migrateAppSchema("mk");
            awaitWaitingStatement("mk", "mk", "%pg_advisory_xact_lock(4242)%");
            try (Connection c = PgConnections.open(superuser("mk", "mk")); Statement st = c.createStatement()) {
                assertEquals("1:true", history(st), "V1 committed, V2 still running when the server dies");
            }
            killServer("mk-db-0");

            PostgresMigration ready = await(PostgresMigration.class, "mk-schema",
                    m -> Conditions.isReady(m.getStatus()) && "2".equals(m.getStatus().getCurrentVersion()));
            assertEquals(0, ready.getStatus().getPendingCount());
            assertEquals(null, ready.getStatus().getFailure());
            // PostgreSQL's DDL is transactional: Flyway recorded nothing of the killed V2 and ran it again whole
            assertV2RanOnceWhole("mk");
            assertEquals(List.of(), stalled(history.of("mk-schema")), "a killed server is retried, not Stalled");
            assertTrue(reasons(history.of("mk-schema")).contains(SqlErrors.SERVER_UNREACHABLE),
                    "the interrupted reconcile says why: " + reasons(history.of("mk-schema")));
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void aNonTransactionalMigrationInterruptedByAServerKillIsReportedAsFlywayRecordsIt() throws Exception {
        clusterWithDatabase("nk", "schemas: [{name: app}]");
        scripts("nk", Map.of("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);"));
        migrateAppSchema("nk");
        awaitReady(PostgresMigration.class, "nk-schema");
        Connection blocker = PgConnections.open(superuser("nk", "nk"));
        try (StatusHistory<PostgresMigrationStatus, PostgresMigration> history = new StatusHistory<>(client, PostgresMigration.class, ns())) {
            // an open writing transaction: the concurrent index build waits for it after it has entered the catalog
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("INSERT INTO app.orders VALUES (1, 1)");
            }
            // CONCURRENTLY cannot run in a transaction: Flyway runs V2 without one
            scripts("nk", Map.of("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);",
                    "V2__orders_by_customer.sql", "CREATE INDEX CONCURRENTLY orders_by_customer ON orders (customer);\n"));
            awaitWaitingStatement("nk", "nk", "CREATE INDEX CONCURRENTLY%");
            killServer("nk-db-0");

            // nothing was rolled back and Flyway recorded nothing; the retry meets the half-built index: a person's turn
            PostgresMigration reported = awaitCondition(PostgresMigration.class, "nk-schema", Conditions.STALLED, "MigrationFailed");
            var failure = reported.getStatus().getFailure();
            String message = Conditions.find(reported.getStatus(), Conditions.STALLED).getMessage();
            assertEquals("V2__orders_by_customer.sql", failure.getScript(), message);
            assertEquals(Boolean.FALSE, failure.getInTransaction(), message);
            assertTrue(message.contains("ran outside a transaction") && !message.contains("rolled back"), message);
            // as Flyway records it: no row for the killed run (the server was gone), a failed row for the retry that met the index
            assertEquals("Failed", reported.getStatus().getApplied().stream().filter(a -> "2".equals(a.getVersion()))
                    .findFirst().orElseThrow().getState(), String.valueOf(reported.getStatus().getApplied()));
            try (Connection c = PgConnections.open(superuser("nk", "nk")); Statement st = c.createStatement()) {
                assertEquals("1:true,2:false", history(st));
                try (ResultSet rs = st.executeQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.orders_by_customer'::regclass")) {
                    assertTrue(rs.next() && !rs.getBoolean(1), "the killed build left an INVALID index, as the message says");
                }
                st.execute("DROP INDEX app.orders_by_customer"); // what the message asks
            }
            scripts("nk", Map.of("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);",
                    "V2__orders_by_customer.sql", "-- again, after dropping the INVALID index\nCREATE INDEX CONCURRENTLY orders_by_customer ON orders (customer);\n"));
            await(PostgresMigration.class, "nk-schema", m -> Conditions.isReady(m.getStatus()) && "2".equals(m.getStatus().getCurrentVersion()));
            try (Connection c = PgConnections.open(superuser("nk", "nk")); Statement st = c.createStatement()) {
                assertEquals("1:true,2:true", history(st));
                try (ResultSet rs = st.executeQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.orders_by_customer'::regclass")) {
                    assertTrue(rs.next() && rs.getBoolean(1), "a valid index now");
                }
            }
        } finally {
            closeQuietly(blocker);
        }
    }

    private void killServer(String pod) {
        int before = restarts(pod);
        assertTrue(kubelet.crashServer(ns(), pod), "SIGKILL to the postmaster of " + pod);
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> restarts(pod) > before);
    }

    private int restarts(String pod) {
        return client.pods().inNamespace(ns()).withName(pod).get().getStatus().getContainerStatuses().get(0).getRestartCount();
    }
}
