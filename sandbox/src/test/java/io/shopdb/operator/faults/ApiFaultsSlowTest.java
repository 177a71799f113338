package io.shopdb.operator.faults;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import io.shopdb.operator.sandbox.apiserver.ApiFaults;
import io.shopdb.operator.sandbox.apiserver.ApiFaults.Fault;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.EmbeddedApiServerResource;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.StatusHistory;
import io.shopdb.operator.testing.TestPostgres;
import io.shopdb.operator.sql.PgConnections;
import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API server failing a fifth of the operator's requests for a minute (409 on writes, 429 with Retry-After,
 * 500, 504 after an applied write; plus delays and watches ended every few seconds) while 100 login roles with
 * grants converge and then change: afterwards every role is Ready at its latest generation, the server holds
 * exactly what the specs ask, no object exists twice, and no role's status ever went backwards. The roles are
 * those of bench/ScaleBenchmark, against an external cluster (a throwaway PostgreSQL), so the figures are the
 * operator's own. Slow (two to three minutes): {@code mvn test -Pslow}.
 */
@QuarkusTest
class ApiFaultsSlowTest extends OperatorTestBase {
    private static final Logger LOG = Logger.getLogger(ApiFaultsSlowTest.class);
    static final int ROLES = 100;
    static final long SEED = 20261201L;
    static final Duration FAULT_WINDOW = Duration.ofSeconds(60);
    /** Spec changes during the window: the roles end at generation 1 + WAVES, connectionLimit 10 + WAVES. */
    static final int WAVES = 5;
    /** This test's own client: the faults spare it, so what it reads and watches is the server's truth. */
    static final String TEST_AGENT = "shopdb-fault-test";

    @EmbeddedApiServerResource.ApiServer
    EmbeddedApiServer api;

    @Test
    void hundredRolesConvergeWhileTheApiServerFailsAFifthOfTheRequests() throws Exception {
        TestPostgres pg = TestPostgres.start();
        try (KubernetesClient mine = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url())
                .withNamespace(ns()).withUserAgent(TEST_AGENT).build()).build();
             StatusHistory<PostgresRoleStatus, PostgresRole> history = new StatusHistory<>(mine, PostgresRole.class, ns())) {
            prepareServer(pg);
            api.faults().start(ApiFaults.plan(SEED).clients(agent -> !TEST_AGENT.equals(agent))
                    .inject(Fault.CONFLICT, 0.05).inject(Fault.TOO_MANY_REQUESTS, 0.05)
                    .inject(Fault.INTERNAL_ERROR, 0.05).inject(Fault.TIMEOUT_AFTER_WRITE, 0.05)
                    .inject(Fault.DELAY, 0.05).delay(Duration.ofMillis(300))
                    .dropWatchesEvery(Duration.ofSeconds(3)));
            long faultsEnd = System.nanoTime() + FAULT_WINDOW.toNanos();
            Map<String, Long> injected;
            try {
                applyManifests(mine, pg);
                // a new spec for every role every few seconds of the window: each generation must win over any late
                // write for an older one, while the faults hit real work (status writes, Secrets, Events), not a steady state
                for (int wave = 1; wave <= WAVES; wave++) {
                    Thread.sleep(FAULT_WINDOW.toMillis() / (WAVES + 1)); // pacing of the fault window, not a wait for a state
                    for (int i = 0; i < ROLES; i++) {
                        mine.resources(PostgresRole.class).withName(role(i)).patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"spec\":{\"connectionLimit\":" + (10 + wave) + "}}");
                    }
                }
                Thread.sleep(Math.max(0, (faultsEnd - System.nanoTime()) / 1_000_000));
            } finally {
                api.faults().stop();
                injected = api.faults().injected();
            }
            LOG.infof("faults injected: %s", injected);
            for (String kind : List.of("CONFLICT", "TOO_MANY_REQUESTS", "INTERNAL_ERROR", "TIMEOUT_AFTER_WRITE", "DELAY", "WATCH_DROP")) {
                assertTrue(injected.getOrDefault(kind, 0L) > 0, "every kind of fault happened: " + injected);
            }

            // all Ready, at the last generation
            long stopped = System.nanoTime();
            Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> notConverged(mine).isEmpty());
            LOG.infof("all %d roles Ready at generation %d %.1f s after the faults stopped", ROLES, 1 + WAVES, (System.nanoTime() - stopped) / 1e9);

            // the server holds exactly what the specs ask
            try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*), count(*) FILTER (WHERE rolconnlimit = " + (10 + WAVES) + " AND rolcanlogin) FROM pg_roles WHERE rolname LIKE 'flt\\_%'")) {
                rs.next();
                assertEquals(ROLES, rs.getInt(1), "one role each");
                assertEquals(ROLES, rs.getInt(2), "each with the second spec");
            }
            try (Connection c = pg.connect("fltshop"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT count(*) FROM pg_roles r WHERE r.rolname LIKE 'flt\\_%'
                      AND has_database_privilege(r.oid, 'fltshop', 'CONNECT') AND has_table_privilege(r.oid, 'a.orders', 'INSERT')
                      AND has_table_privilege(r.oid, 'b.customers', 'SELECT') AND NOT has_table_privilege(r.oid, 'b.customers', 'INSERT')""")) {
                rs.next();
                assertEquals(ROLES, rs.getInt(1), "every role has its grants and no more");
            }

            // no object twice: each role has its password Secret and its connection Secret (owned by it), nothing more
            List<Secret> secrets = mine.secrets().inNamespace(ns()).list().getItems().stream()
                    .filter(x -> x.getMetadata().getName().startsWith("flt-")).toList();
            assertEquals(2 * ROLES + 1, secrets.size(), "two Secrets per role and the admin's: "
                    + secrets.stream().map(x -> x.getMetadata().getName()).sorted().toList());
            for (PostgresRole r : roles(mine)) {
                String name = r.getMetadata().getName();
                assertEquals(List.of(name + "-connection", name + "-password"),
                        List.of(r.getStatus().getConnectionSecret(), r.getStatus().getPasswordSecret()));
                Secret connection = mine.secrets().inNamespace(ns()).withName(name + "-connection").get();
                assertEquals(List.of(r.getMetadata().getUid()), connection.getMetadata().getOwnerReferences().stream()
                        .map(o -> o.getUid()).toList(), name + "'s connection Secret is owned by it once");
                // a Secret write retried after a lost answer must not leave the server with another password
                String password = new String(java.util.Base64.getDecoder().decode(connection.getData().get("password")),
                        java.nio.charset.StandardCharsets.UTF_8);
                try (Connection login = PgConnections.open(pg.endpoint("fltshop", r.getSpec().getName(), password.toCharArray()))) {
                    assertTrue(login.isValid(5), name + " logs in with the password of its Secret");
                }
            }

            // no status went backwards; no role was ever Stalled by a transient API error
            List<String> regressions = roles(mine).stream().map(r -> history.regression(r.getMetadata().getName()))
                    .filter(Objects::nonNull).toList();
            assertEquals(List.of(), regressions);
            List<String> stalled = roles(mine).stream().map(r -> r.getMetadata().getName())
                    .filter(n -> history.of(n).stream().anyMatch(StatusHistory.Seen::stalled)).toList();
            assertEquals(List.of(), stalled, "API trouble is retryable: Reconciling, never Stalled");
            List<String> unexplained = roles(mine).stream().map(r -> r.getMetadata().getName())
                    .filter(n -> history.of(n).stream().anyMatch(x -> "Error".equals(x.reason()))).toList();
            assertEquals(List.of(), unexplained, "a failed API request is named KubernetesApiError, not an unexpected Error");
            assertTrue(history.of(role(0)).size() >= 2, "the watch saw the statuses: " + history.of(role(0)));
            Map<String, Long> flaps = new TreeMap<>();
            roles(mine).forEach(r -> flaps.put(r.getMetadata().getName(), readyLost(history.of(r.getMetadata().getName()))));
            LOG.infof("Ready lost at an unchanged generation: %d times over %d roles; reasons seen: %s",
                    flaps.values().stream().mapToLong(Long::longValue).sum(), flaps.values().stream().filter(n -> n > 0).count(),
                    roles(mine).stream().flatMap(r -> history.of(r.getMetadata().getName()).stream()).map(StatusHistory.Seen::reason)
                            .filter(Objects::nonNull).collect(Collectors.groupingBy(x -> x, TreeMap::new, Collectors.counting())));

            // Events: a retried create (504 after the write) must not make a second Event; a storm would show as many
            Map<String, Long> eventsPerRole = events(mine).stream().filter(e -> e.getRegarding() != null && "PostgresRole".equals(e.getRegarding().getKind())
                    && e.getRegarding().getName().startsWith("flt-")).collect(Collectors.groupingBy(e -> e.getRegarding().getName(), TreeMap::new, Collectors.counting()));
            LOG.infof("Events per role: max %d, total %d", eventsPerRole.values().stream().mapToLong(Long::longValue).max().orElse(0),
                    eventsPerRole.values().stream().mapToLong(Long::longValue).sum());
            assertTrue(eventsPerRole.values().stream().allMatch(n -> n <= 20), "no Event storm: " + eventsPerRole);
        } finally {
            pg.stop();
        }
    }

    /** How often a role went from Ready to not Ready without a new generation (an API error shown as a state change). */
    private static long readyLost(List<StatusHistory.Seen> seen) {
        long n = 0;
        for (int i = 1; i < seen.size(); i++) {
            StatusHistory.Seen before = seen.get(i - 1);
            StatusHistory.Seen now = seen.get(i);
            if (before.ready() && !now.ready() && Objects.equals(before.generation(), now.generation())) {
                n++;
            }
        }
        return n;
    }

    private List<String> notConverged(KubernetesClient mine) {
        List<String> out = new ArrayList<>();
        for (PostgresRole r : roles(mine)) {
            var s = r.getStatus();
            if (s == null || !Conditions.isReady(s) || !Objects.equals(s.getObservedGeneration(), r.getMetadata().getGeneration())
                    || r.getMetadata().getGeneration() != 1L + WAVES) {
                out.add(r.getMetadata().getName());
            }
        }
        return out;
    }

    private List<PostgresRole> roles(KubernetesClient mine) {
        return mine.resources(PostgresRole.class).inNamespace(ns()).list().getItems().stream().filter(r -> r.getMetadata().getName().startsWith("flt-")).toList();
    }

    private List<Event> events(KubernetesClient mine) {
        return mine.events().v1().events().list().getItems();
    }

    static String role(int i) {
        return "flt-" + i;
    }

    private static void prepareServer(TestPostgres pg) throws Exception {
        pg.exec("postgres", "CREATE ROLE fltshop_owner", "CREATE DATABASE fltshop OWNER fltshop_owner");
        pg.exec("fltshop", "CREATE SCHEMA a AUTHORIZATION fltshop_owner", "CREATE SCHEMA b AUTHORIZATION fltshop_owner",
                "SET ROLE fltshop_owner", "CREATE TABLE a.orders (id int)", "CREATE TABLE a.items (id int)", "CREATE TABLE b.customers (id int)");
    }

    /** bench/ScaleBenchmark's manifests: an external cluster, its database and login roles with grants on two schemas. */
    private void applyManifests(KubernetesClient mine, TestPostgres pg) {
        mine.resource(new SecretBuilder().withNewMetadata().withName("flt-admin").endMetadata()
                .addToStringData("username", "postgres").addToStringData("password", new String(pg.superuser().password())).build()).create();
        create(mine, Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: flt-db}
                spec:
                  external: {host: 127.0.0.1, port: %d, sslMode: disable, adminSecretRef: {name: flt-admin}}
                """.formatted(pg.port()), GenericKubernetesResource.class)); // as written: the typed class adds managed-only defaults
        create(mine, Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: fltshop}
                spec:
                  clusterRef: {name: flt-db}
                  owner: fltshop_owner
                  schemas: [{name: a, owner: fltshop_owner}, {name: b, owner: fltshop_owner}]
                """, PostgresDatabase.class));
        for (int i = 0; i < ROLES; i++) {
            create(mine, Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRole
                    metadata: {name: flt-%1$d}
                    spec:
                      clusterRef: {name: flt-db}
                      name: flt_%1$d
                      login: true
                      grants:
                        - database: fltshop
                          privileges: [CONNECT]
                          schemas:
                            - name: a
                              privileges: [USAGE]
                              tables: [SELECT, INSERT, UPDATE]
                              defaultPrivileges:
                                - forRole: fltshop_owner
                                  tables: [SELECT]
                            - name: b
                              privileges: [USAGE]
                              tables: [SELECT]
                    """.formatted(i), PostgresRole.class));
        }
    }

    private <T extends HasMetadata> void create(KubernetesClient mine, T resource) {
        resource.getMetadata().setNamespace(ns());
        mine.resource(resource).create();
    }
}
