package io.shopdb.operator.dependents;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.sandbox.apiserver.ApiRequests;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.testing.EmbeddedApiServerResource;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.ApiRequestLog;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How databases and roles depend on their cluster and on each other at scale: claims found in the informer
 * index (no LIST), a wait for the cluster ended by the cluster's own event (no timer), and GRANTs of many
 * roles on one database taking turns instead of failing on a shared catalog row.
 */
@QuarkusTest
class DependentsOperatorTest extends OperatorTestBase {

    @EmbeddedApiServerResource.ApiServer
    EmbeddedApiServer api;

    @Test
    void aDependentWaitingForItsClusterIsWokenByTheClusterTurningReadyNotByATimer() {
        // the role and database come first, as GitOps often applies them
        create(role("late-app", "late-db", "late_app", "late"));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: late}
                spec: {clusterRef: {name: late-db}, owner: postgres}
                """, PostgresDatabase.class));
        PostgresRole waiting = awaitCondition(PostgresRole.class, "late-app", Conditions.RECONCILING, "WaitingForCluster");
        assertTrue(Conditions.find(waiting.getStatus(), Conditions.RECONCILING).getMessage().contains("does not exist yet"));
        awaitCondition(PostgresDatabase.class, "late", Conditions.RECONCILING, "WaitingForCluster");
        // A wait for the cluster schedules only a long safety re-check (Outcome.waitingForEvent): were the cluster's
        // Ready event not delivered to its dependents, they would stay waiting past the 30 s below and fail.
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: late-db}
                spec: {instances: 1}
                """, PostgresCluster.class));
        awaitReady(PostgresCluster.class, "late-db");
        // Within 30 s: less than the shortest safety re-check of a waiting resource (shopdb.waiting-recheck, 90 s
        // ± 20 % in tests, counted from before the cluster existed), so only the cluster's event can end the wait.
        for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> kind : List.of(PostgresDatabase.class, PostgresRole.class)) {
            String name = kind == PostgresDatabase.class ? "late" : "late-app";
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(250))
                    .until(() -> client.resources(kind).inNamespace(ns()).withName(name).get(),
                            r -> r != null && Conditions.isReady((io.shopdb.operator.api.v1alpha1.ShopdbStatus) r.getStatus()));
        }
    }

    /**
     * A deletion that lands while a reconcile writes status is acted on at once. The write's answer already carries
     * the deletion; were it filtered as the echo of the operator's own write (the informer's read-after-write cache
     * does that with every event older than the write), the role would wait for its long safety re-check
     * (shopdb.waiting-recheck, 90 s ± 20 % in tests) instead of being cleaned up: kubectl delete timed out on it.
     */
    @Test
    void aResourceDeletedWhileItsStatusIsWrittenIsCleanedUpAtOnce() {
        // a role waiting for a cluster that does not exist: nothing but its own events can wake it
        PostgresRole role = create(role("race-app", "race-db", "race_app", "race"));
        awaitCondition(PostgresRole.class, "race-app", Conditions.RECONCILING, "WaitingForCluster");
        // a spec change makes the next reconcile write status (the generation it saw); the role is deleted between
        // that reconcile's read and its status write
        api.beforeNextStatusWrite(role, () -> client.resources(PostgresRole.class).inNamespace(ns()).withName("race-app").delete());
        client.resources(PostgresRole.class).inNamespace(ns()).withName("race-app").edit(r -> {
            r.getSpec().setConnectionLimit(5);
            return r;
        });
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> client.resources(PostgresRole.class).inNamespace(ns()).withName("race-app").get() == null);
    }

    @Test
    void aClaimConflictIsFoundWithoutListingAndManyGrantsOnOneDatabaseAllSucceedFirstTime() throws Exception {
        clusterWithDatabase("crowd", "");
        awaitReady(PostgresDatabase.class, "crowd");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add("crowd-r" + i);
            create(role("crowd-r" + i, "crowd-db", "crowd_r" + i, "crowd"));
        }
        for (String name : names) {
            awaitReady(PostgresRole.class, name);
        }
        // "no retry visible in status": no role ever reported a conflict or an outage (StatusWriter records an
        // Event for every change of reason), and the server was never called unreachable
        for (Event e : client.resources(Event.class).inNamespace(ns()).list().getItems()) {
            if (e.getRegarding() != null && names.contains(e.getRegarding().getName())) {
                assertTrue(!Set.of(SqlErrors.CATALOG_CONFLICT, SqlErrors.SERVER_UNREACHABLE, SqlErrors.SQL_ERROR, "Error").contains(e.getReason()),
                        e.getRegarding().getName() + ": " + e.getReason() + " " + e.getNote());
            }
        }

        ApiRequestLog log = new ApiRequestLog(api).reset();
        create(role("crowd-r0-again", "crowd-db", "crowd_r0", "crowd"));
        PostgresRole stalled = awaitCondition(PostgresRole.class, "crowd-r0-again", Conditions.STALLED, Reasons.CONFLICT);
        assertTrue(Conditions.find(stalled.getStatus(), Conditions.STALLED).getMessage().contains("crowd-r0 already manages role crowd_r0"));
        List<ApiRequests.Request> lists = log.read().stream()
                .filter(r -> r.verb().equals("list") && r.resource().equals("postgresroles")).toList();
        assertEquals(List.of(), lists, "the claimants come from the informer's index, not from a LIST");
    }

    /**
     * Waits between dependents end on the dependency's event, not a timer: a database waiting for its owner's
     * PostgresRole, a role waiting for a role it joins (memberOf), a role waiting for a database its grants name.
     * The first link is a role that made by hand, which nothing declares: only its own re-check notices it. Every
     * wait after that is {@code waitingForEvent} (safety re-check 90 s ± 20 % in tests), so all Ready within 30 s
     * proves each wake-up came from the event.
     */
    @Test
    void waitsBetweenDependentsEndOnTheDependencysEvent() throws Exception {
        clusterWithDatabase("chain", "");
        awaitReady(PostgresDatabase.class, "chain");
        // gate-member joins gate_sql, a role no resource declares: it waits with backoff until it is made by hand
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: gate-member}
                spec: {clusterRef: {name: chain-db}, name: gate_member, memberOf: [gate_sql]}
                """, PostgresRole.class));
        // the database's owner is gate_member: waits for that PostgresRole's event (WaitingForOwner)
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: chained}
                spec: {clusterRef: {name: chain-db}, owner: gate_member}
                """, PostgresDatabase.class));
        // follower joins gate_member (WaitingForRoles on gate-member's event); reader's grants name the database
        // chained (WaitingForDatabase on that PostgresDatabase's event)
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: follower}
                spec: {clusterRef: {name: chain-db}, name: follower, memberOf: [gate_member]}
                """, PostgresRole.class));
        create(role("reader", "chain-db", "chain_reader", "chained"));
        awaitCondition(PostgresRole.class, "gate-member", Conditions.RECONCILING, "WaitingForRoles");
        awaitCondition(PostgresDatabase.class, "chained", Conditions.RECONCILING, "WaitingForOwner");
        awaitCondition(PostgresRole.class, "follower", Conditions.RECONCILING, "WaitingForRoles");
        awaitCondition(PostgresRole.class, "reader", Conditions.RECONCILING, "WaitingForDatabase");

        char[] password = io.shopdb.operator.cluster.ClusterCredentials.read(client, ns(), "chain-db-superuser", "password");
        try (var c = io.shopdb.operator.sql.PgConnections.open(endpoint("chain-db-rw", "postgres", "postgres", password));
             var st = c.createStatement()) {
            st.execute("CREATE ROLE gate_sql NOLOGIN");
        }
        for (var wait : List.of(List.of(PostgresRole.class, "gate-member"), List.of(PostgresDatabase.class, "chained"),
                List.of(PostgresRole.class, "follower"), List.of(PostgresRole.class, "reader"))) {
            @SuppressWarnings("unchecked")
            var kind = (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>>) wait.get(0);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(250))
                    .until(() -> client.resources(kind).inNamespace(ns()).withName((String) wait.get(1)).get(),
                            r -> r != null && Conditions.isReady((io.shopdb.operator.api.v1alpha1.ShopdbStatus) r.getStatus()));
        }
    }

    /**
     * A cluster, its database, the owner and many roles with grants, applied at once as Argo CD does: no role
     * waits on a connection to the database that does not exist yet (each used to hold a reconcile thread for a
     * pool's 30 s timeout, ten at a time), so all are Ready within a minute, less than the waiting re-check.
     */
    @Test
    void everythingAppliedAtOnceConvergesWithoutWaitingOnMissingDatabases() {
        int roles = 30;
        for (int i = 0; i < roles; i++) {
            create(role("burst-r" + i, "burst-db", "burst_r" + i, "burst"));
        }
        clusterWithDatabase("burst", "");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> client.resources(PostgresRole.class).inNamespace(ns()).list().getItems().stream()
                        .filter(r -> r.getMetadata().getName().startsWith("burst-r") && Conditions.isReady(r.getStatus())).count() == roles);
        awaitReady(PostgresDatabase.class, "burst");
    }

    private static PostgresRole role(String name, String cluster, String roleName, String database) {
        return Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: %s}
                spec:
                  clusterRef: {name: %s}
                  name: %s
                  login: true
                  grants:
                    - database: %s
                      privileges: [CONNECT]
                      schemas:
                        - name: public
                          privileges: [USAGE]
                          tables: [SELECT]
                          defaultPrivileges:
                            - forRole: postgres
                              tables: [SELECT]
                """.formatted(name, cluster, roleName, database), PostgresRole.class);
    }
}
