package io.shopdb.operator.faults;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.jobs.AgentJobs;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.sandbox.harness.OperatorInstances;
import io.shopdb.operator.pooler.PoolerSwitchover;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.StatusHistory;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator killed mid-work and replaced by a fresh instance, as a pod restart or a leader change does
 * ({@link OperatorInstances}: new reconcilers, informers and threads against the same API server and the same
 * PostgreSQL processes; the old instance's threads interrupted and its PostgreSQL connections closed under it).
 * Each test first restarts once, so the instance it kills is one whose threads the harness can interrupt; then it
 * holds a lock the work needs, sees the work waiting on it, kills the operator there, starts a new one and lets
 * the work go on. The new instance must finish the work without doing it twice and report it as it is.
 */
@QuarkusTest
class OperatorRestartSlowTest extends FaultTestBase {
    @Inject OperatorInstances instances;
    @Inject LocalKubelet kubelet;

    @AfterEach
    void leaveAnOperatorRunning() {
        instances.ensureRunning("after-a-failed-test");
    }

    @Test
    void aMigrationKilledWithTheOperatorIsRunOnceByTheNextInstance() throws Exception {
        instances.restart("before-migration");
        clusterWithDatabase("rm", "schemas: [{name: app}]");
        awaitReady(PostgresDatabase.class, "rm");
        scripts("rm", Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY);",
                // the advisory lock the test holds keeps V2 mid-transaction: orders made, its row not yet
                "V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nSELECT pg_advisory_xact_lock(4343);\nINSERT INTO orders VALUES (1);\n"));
        Connection blocker = holding("rm", "rm", "SELECT pg_advisory_lock(4343)");
        try (StatusHistory<PostgresMigrationStatus, PostgresMigration> history = new StatusHistory<>(client, PostgresMigration.class, ns())) {
            migrateAppSchema("rm");
            awaitWaitingStatement("rm", "rm", "%pg_advisory_xact_lock(4343)%");

            instances.killRunning();
            sql(blocker, "SELECT pg_advisory_unlock(4343)"); // the dead operator's V2 would go on if its session had survived
            blocker.commit();
            PostgresMigration meanwhile = client.resources(PostgresMigration.class).inNamespace(ns()).withName("rm-schema").get();
            assertNotEquals("2", meanwhile.getStatus() == null ? null : meanwhile.getStatus().getCurrentVersion(),
                    "while no operator runs, the status does not claim V2");
            try (Connection c = PgConnections.open(superuser("rm", "rm")); Statement st = c.createStatement()) {
                // no operator statement runs any more: the killed session went once it had the lock and found its client gone
                Awaitility.await().atMost(READY_TIMEOUT).until(() -> activeOperatorStatements(st) == 0);
                assertEquals("1:true", history(st), "the killed operator's V2 was rolled back with its session, not finished");
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('app.orders') IS NULL")) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), "no orders table: V2 left nothing behind");
                }
            }

            instances.startAsRunning("after-migration");
            PostgresMigration ready = await(PostgresMigration.class, "rm-schema",
                    m -> Conditions.isReady(m.getStatus()) && "2".equals(m.getStatus().getCurrentVersion()));
            assertEquals(0, ready.getStatus().getPendingCount());
            assertEquals(null, ready.getStatus().getFailure());
            assertEquals(List.of("1", "2"), ready.getStatus().getApplied().stream().map(a -> a.getVersion()).toList(),
                    "status lists each applied version once: " + ready.getStatus().getApplied());
            assertV2RanOnceWhole("rm");
            assertEquals(List.of(), stalled(history.of("rm-schema")), "a restart is not the spec's fault");
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void aBackupJobRunningWhileTheOperatorRestartsIsAdoptedNotDuplicated() throws Exception {
        instances.restart("before-backup");
        backupCluster();
        Connection blocker = holding("rb", "rb", "LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE");
        try {
            backupOfRb("rb-adopted");
            awaitWaitingStatement("rb", "rb", "LOCK TABLE%orders%"); // pg_dump, in the Job's pod, waits for the table
            List<Job> before = jobsOf("rb-adopted");
            assertEquals(1, before.size(), "one Job before the restart");

            instances.restart("after-backup");
            blocker.commit();
            PostgresBackup ready = awaitReady(PostgresBackup.class, "rb-adopted");
            List<Job> after = jobsOf("rb-adopted");
            assertEquals(List.of(before.get(0).getMetadata().getUid()), after.stream().map(j -> j.getMetadata().getUid()).toList(),
                    "the new instance adopted the running Job and made no other");
            assertEquals(before.get(0).getMetadata().getName(), ready.getStatus().getJobName());
            assertEquals(1, ready.getStatus().getAttempts());
            assertNotNull(ready.getStatus().getBackupId(), "the Job's result is recorded");
            assertTrue(ready.getStatus().getFiles().size() > 0 && ready.getStatus().getManifestSha256() != null, ready.getStatus().toString());
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void aRestoreJobRunningWhileTheOperatorRestartsIsAdoptedAndItsResultRecorded() throws Exception {
        instances.restart("before-restore");
        backupCluster();
        backupOfRb("rb-source");
        awaitReady(PostgresBackup.class, "rb-source");
        // an empty target the restore keeps; a DROP SCHEMA public left open there makes pg_restore's CREATE TABLE wait
        sql("rb", "postgres", "CREATE DATABASE rb_copy");
        Connection blocker = holding("rb", "rb_copy", "DROP SCHEMA public CASCADE");
        try {
            create(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRestore
                    metadata: {name: rb-restore}
                    spec:
                      backupRef: {name: rb-source}
                      clusterRef: {name: rb-db}
                      targetDatabase: rb_copy
                    """, PostgresRestore.class));
            awaitWaitingStatement("rb", "rb_copy", "CREATE TABLE%orders%");
            List<Job> before = jobsOf("rb-restore");
            assertEquals(1, before.size(), "one Job before the restart");

            instances.restart("after-restore");
            blocker.rollback(); // the schema stays; pg_restore goes on
            PostgresRestore ready = awaitReady(PostgresRestore.class, "rb-restore");
            assertEquals(List.of(before.get(0).getMetadata().getUid()), jobsOf("rb-restore").stream().map(j -> j.getMetadata().getUid()).toList(),
                    "the new instance adopted the running Job and made no other");
            assertEquals(before.get(0).getMetadata().getName(), ready.getStatus().getJobName());
            assertEquals(120L, ready.getStatus().getRowCounts().get("public.orders"), "the result is recorded: " + ready.getStatus().getRowCounts());
            assertEquals("120", query(superuser("rb", "rb_copy"), "SELECT count(*) FROM public.orders"),
                    "restored once: no duplicate rows from a second run");
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void aPasswordRotationCutByARestartEndsWithTheSecretAndTheRoleEqual() throws Exception {
        instances.restart("before-rotation");
        clusterWithDatabase("rr", "");
        awaitReady(PostgresDatabase.class, "rr");
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: rr-app}
                spec:
                  clusterRef: {name: rr-db}
                  name: rr_app
                  login: true
                  passwordRotation: "1"
                  grants: [{database: rr, privileges: [CONNECT]}]
                """, PostgresRole.class));
        awaitReady(PostgresRole.class, "rr-app");
        char[] first = ClusterCredentials.read(client, ns(), "rr-app-password", "password");
        assertTrue(canLogIn("rr_app", first), "the first password works");
        // an open transaction that changed the role's row: the operator's ALTER ROLE ... PASSWORD waits for it
        Connection blocker = holding("rr", "rr", "ALTER ROLE rr_app CONNECTION LIMIT 7");
        try (StatusHistory<PostgresRoleStatus, PostgresRole> history = new StatusHistory<>(client, PostgresRole.class, ns())) {
            PostgresRole role = client.resources(PostgresRole.class).inNamespace(ns()).withName("rr-app").get();
            role.getSpec().setPasswordRotation("2");
            client.resource(role).update();
            awaitWaitingStatement("rr", "rr", "ALTER USER%rr_app%");
            char[] rotated = ClusterCredentials.read(client, ns(), "rr-app-password", "password");
            assertNotEquals(new String(first), new String(rotated), "the kill comes after the Secret was rotated, before the role was");

            instances.restart("after-rotation");
            blocker.rollback();
            PostgresRole ready = await(PostgresRole.class, "rr-app", r -> Conditions.isReady(r.getStatus())
                    && "2".equals(r.getStatus().getPasswordRotation())
                    && r.getMetadata().getGeneration().equals(r.getStatus().getObservedGeneration()));
            char[] secret = ClusterCredentials.read(client, ns(), "rr-app-password", "password");
            assertTrue(canLogIn("rr_app", secret), "the role's password is the Secret's");
            assertTrue(!canLogIn("rr_app", first), "the old password no longer works");
            char[] connection = ClusterCredentials.read(client, ns(), "rr-app-connection", "password");
            assertEquals(new String(secret), new String(connection), "the connection Secret carries the same password");
            assertEquals(List.of(), stalled(history.of("rr-app")), "a restart is not the spec's fault");
            assertNotNull(ready.getStatus().getPasswordSecret());
        } finally {
            closeQuietly(blocker);
        }
    }

    @Test
    void twoReplicasWithLeaderElectionOnlyTheLeaderReconcilesAndAKilledLeaderIsReplacedAfterItsLease() throws Exception {
        String lease = "rl-operator-lease";
        instances.killRunning(); // the one instance goes: two replicas take its place
        OperatorInstances.Instance a = instances.start("replica-a", election(lease, "replica-a"));
        instances.runningIs(a);
        Lease first = Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> lease(lease),
                l -> l != null && "replica-a".equals(l.getSpec().getHolderIdentity()));
        OperatorInstances.Instance b = instances.start("replica-b", election(lease, "replica-b"));
        assertNotNull(first.getSpec().getRenewTime());

        clusterWithDatabase("rl", "");
        awaitReady(PostgresDatabase.class, "rl");
        assertTrue(a.reconciles().started() > 0, "the leader reconciled");
        assertEquals(0, b.reconciles().started(), "the follower did not reconcile anything");
        assertEquals("replica-a", lease(lease).getSpec().getHolderIdentity());

        instances.kill(a.operator()); // not released: a dead pod cannot
        ZonedDateTime lastRenewal = lease(lease).getSpec().getRenewTime();
        Lease taken = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> lease(lease),
                l -> "replica-b".equals(l.getSpec().getHolderIdentity()));
        instances.runningIs(b);
        ZonedDateTime acquired = taken.getSpec().getAcquireTime();
        Duration handover = Duration.between(lastRenewal, acquired);
        System.out.printf("leader handover: last renewal by replica-a %s, acquired by replica-b %s: %d ms after%n",
                lastRenewal, acquired, handover.toMillis());
        assertTrue(!handover.minus(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE).isNegative(),
                "never two leaders: the lease was taken " + handover + " after its last renewal, lease " + LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE);

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: rl-after}
                spec: {clusterRef: {name: rl-db}, name: rl_after}
                """, PostgresRole.class));
        awaitReady(PostgresRole.class, "rl-after");
        assertTrue(b.reconciles().started() > 0, "the new leader reconciles");
        PostgresCluster cluster = client.resources(PostgresCluster.class).inNamespace(ns()).withName("rl-db").get();
        assertTrue(Conditions.isReady(cluster.getStatus()), "the cluster stays Ready across the leader change");
    }

    @Test
    void aPoolerLeftPausedByAKilledOperatorIsResumedByTheNextInstance() throws Exception {
        instances.restart("before-pause");
        clusterWithDatabase("rp", "");
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresPooler
                metadata: {name: rp-bouncer}
                spec: {clusterRef: {name: rp-db}}
                """, PostgresPooler.class));
        awaitReady(PostgresDatabase.class, "rp");
        awaitReady(PostgresPooler.class, "rp-bouncer");
        char[] password = ClusterCredentials.read(client, ns(), "rp-owner-connection", "password");
        var throughPooler = io.shopdb.operator.testing.PoolerClients.endpoint(client, addresses, ns(), "rp-bouncer", "rp", "rp_owner", password);

        // what an operator killed between PAUSE and RESUME of a switchover leaves: the pods paused, the record on
        // the pooler (made 3 minutes ago here, so the switchover is past its 2-minute grace)
        instances.killRunning();
        // a client connected before the pause; its next query waits in PgBouncer (no read timeout: as long as it takes)
        Connection clientConnection = PgConnections.open(throughPooler, 0);
        io.shopdb.operator.testing.PoolerClients.console(client, addresses, ns(), "rp-bouncer", 30).pause();
        client.resources(PostgresPooler.class).inNamespace(ns()).withName("rp-bouncer").edit(p -> {
            p.getMetadata().getAnnotations().put(PoolerSwitchover.PAUSED_ANNOTATION, Instant.now().minus(Duration.ofMinutes(3)).toString());
            return p;
        });
        CompletableFuture<Integer> query = CompletableFuture.supplyAsync(() -> {
            try (clientConnection; Statement st = clientConnection.createStatement(); ResultSet rs = st.executeQuery("SELECT 42")) {
                rs.next();
                return rs.getInt(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> query.get(2, TimeUnit.SECONDS), "the paused pooler holds the client's query");

        instances.startAsRunning("after-pause");
        assertEquals(42, query.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the new instance resumed the pooler: the held query ran");
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> !client.resources(PostgresPooler.class).inNamespace(ns()).withName("rp-bouncer").get()
                .getMetadata().getAnnotations().containsKey(PoolerSwitchover.PAUSED_ANNOTATION));
        List<String> notes = client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace(ns()).list().getItems().stream()
                .filter(e -> "Resumed".equals(e.getReason()) && e.getRegarding() != null && "rp-bouncer".equals(e.getRegarding().getName()))
                .map(e -> e.getNote()).toList();
        assertEquals(1, notes.size(), "one Event says the pooler was resumed: " + notes);
        assertTrue(notes.get(0).contains("did not finish in 2 min"), notes.get(0));
    }

    @Test
    void aPrimaryRestartingInPlaceWhenTheOperatorRestartsIsWaitedForNotFailedOver() throws Exception {
        instances.restart("before-primary-restart");
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: ri-db}
                spec: {instances: 2}
                """, PostgresCluster.class));
        PostgresCluster ready = await(PostgresCluster.class, "ri-db", c -> Conditions.isReady(c.getStatus())
                && Integer.valueOf(2).equals(c.getStatus().getReadyInstances()));
        String primary = ready.getStatus().getCurrentPrimary();
        String uid = client.pods().inNamespace(ns()).withName(primary).get().getMetadata().getUid();
        // a lower max_connections: a hot standby must keep it at least as high as its primary, so the primary
        // restarts first, in place (its pod deleted), and failover must wait for it
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("ri-db").edit(c -> {
            c.getSpec().getParameters().put("max_connections", "90");
            return c;
        });
        Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            var pod = client.pods().inNamespace(ns()).withName(primary).get();
            return pod == null || pod.getMetadata().getDeletionTimestamp() != null || !uid.equals(pod.getMetadata().getUid());
        });

        instances.restart("after-primary-restart"); // the operator that deleted the pod is gone
        PostgresCluster after = await(PostgresCluster.class, "ri-db", c -> Conditions.isReady(c.getStatus())
                && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration())
                && Integer.valueOf(2).equals(c.getStatus().getReadyInstances()));
        assertEquals(primary, after.getStatus().getCurrentPrimary(), "the primary restarted in place; no failover");
        List<String> reasons = client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace(ns()).list().getItems().stream()
                .filter(e -> e.getRegarding() != null && "ri-db".equals(e.getRegarding().getName())).map(e -> e.getReason()).toList();
        assertTrue(!reasons.contains("FailingOver") && !reasons.contains("FailedOver"), "no failover was begun: " + reasons);
        assertEquals("90", query(superuser("ri", "postgres"), "SHOW max_connections"));
        assertTrue(!client.configMaps().inNamespace(ns()).withName("ri-db-config").get().getData()
                .containsKey(io.shopdb.operator.cluster.ClusterObjects.PRIMARY_RESTART_KEY), "the record went once the primary was back");
    }

    @Test
    void aFailoverCutByAnOperatorRestartIsFinishedByTheNextInstance() throws Exception {
        instances.restart("before-failover");
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: rf-db}
                spec: {instances: 2}
                """, PostgresCluster.class));
        await(PostgresCluster.class, "rf-db", c -> Conditions.isReady(c.getStatus()) && Integer.valueOf(2).equals(c.getStatus().getReadyInstances())
                && c.getStatus().getReplicas().stream().anyMatch(r -> "streaming".equals(r.getState())));
        sql("rf", "postgres", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> "100".equals(query(superuserOn("rf", "rf-db-1"), "SELECT count(*) FROM orders")));

        kubelet.loseNode(ns(), "rf-db-0");
        // the failover's first step declares the new primary in the ConfigMap: the operator is killed right there
        Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(20))
                .until(() -> "rf-db-1".equals(client.configMaps().inNamespace(ns()).withName("rf-db-config").get().getData().get("primary")));
        instances.restart("after-failover");

        PostgresCluster failedOver = await(PostgresCluster.class, "rf-db", c -> c.getStatus() != null && "rf-db-1".equals(c.getStatus().getCurrentPrimary()));
        assertEquals(1, failedOver.getStatus().getFailovers(), "one failover, finished once");
        assertEquals("f", query(superuserOn("rf", "rf-db-1"), "SELECT pg_is_in_recovery()"), "rf-db-1 was promoted");
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> {
            sql("rf", "postgres", "INSERT INTO orders VALUES (101)");
            return true;
        });
        kubelet.restoreNode(ns(), "rf-db-0");
        PostgresCluster healed = await(PostgresCluster.class, "rf-db", c -> Conditions.isReady(c.getStatus())
                && Integer.valueOf(2).equals(c.getStatus().getReadyInstances()));
        assertEquals("rf-db-1", healed.getStatus().getCurrentPrimary(), "the former primary does not take over again");
        Awaitility.await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> "t".equals(query(superuserOn("rf", "rf-db-0"), "SELECT pg_is_in_recovery()"))
                && "101".equals(query(superuserOn("rf", "rf-db-0"), "SELECT count(*) FROM orders")));
    }

    /** JOSDK's default timings (the chart's): 15 s lease, 10 s renew deadline, 2 s retry; never exit the JVM. */
    private LeaderElectionConfiguration election(String lease, String identity) {
        return new LeaderElectionConfiguration(lease, ns(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                identity, new LeaderCallbacks(() -> { }, () -> { }, leader -> { }), false);
    }

    private Lease lease(String name) {
        return client.leases().inNamespace(ns()).withName(name).get();
    }

    /** Cluster rb-db with database rb (orders: 120 rows, in public, owned by the superuser) and the claim rb-store. */
    private void backupCluster() throws SQLException {
        if (client.resources(PostgresCluster.class).inNamespace(ns()).withName("rb-db").get() == null) {
            clusterWithDatabase("rb", "");
            create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("rb-store").endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                    .build());
            awaitReady(PostgresDatabase.class, "rb");
            sql("rb", "rb", "CREATE TABLE public.orders (id int PRIMARY KEY, customer text NOT NULL)",
                    "INSERT INTO public.orders SELECT g, 'customer ' || g FROM generate_series(1, 120) g");
        }
        awaitReady(PostgresDatabase.class, "rb");
    }

    /** A logical backup of database rb to the claim rb-store. */
    private void backupOfRb(String name) {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: %s}
                spec:
                  clusterRef: {name: rb-db}
                  databases: [rb]
                  target: {pvc: {claimName: rb-store, subPath: restarts}}
                """.formatted(name), PostgresBackup.class));
    }

    private List<Job> jobsOf(String owner) {
        return client.batch().v1().jobs().inNamespace(ns()).withLabel(AgentJobs.OWNER_LABEL, owner).list().getItems();
    }

    private boolean canLogIn(String role, char[] password) {
        try (Connection c = PgConnections.open(endpoint("rr-db-rw", "rr", role, password))) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static int activeOperatorStatements(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shopdb-operator'"
                + " AND state <> 'idle' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void sql(Connection c, String statement) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
