package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.api.v1alpha1.SecretKeyReference;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.TestPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ClusterOperatorTest extends OperatorTestBase {

    static PostgresCluster managed(String name, int instances, Map<String, String> parameters) {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(instances);
        spec.setParameters(new java.util.TreeMap<>(parameters));
        c.setSpec(spec);
        return c;
    }

    @Test
    void oneInstanceReachesReadyWithItsObjectsAndAnswersSql() throws SQLException {
        create(managed("single", 1, Map.of()));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "single");
        assertTrue(ready.getStatus().getServerVersion().startsWith("15"), ready.getStatus().getServerVersion());
        assertEquals("Managed", ready.getStatus().getMode());
        assertEquals(1, ready.getStatus().getReadyInstances());
        assertEquals("1/1", ready.getStatus().getInstances(), "the Instances printer column");
        assertEquals("single-0", ready.getStatus().getPrimary(), "the Primary printer column");
        assertEquals(java.util.List.of(new io.shopdb.operator.api.v1alpha1.InstanceImage("single-0", "postgres:15", null)),
                ready.getStatus().getInstanceImages(), "the image each instance runs");
        assertEquals(ready.getMetadata().getGeneration(), ready.getStatus().getObservedGeneration());
        assertNotNull(client.services().inNamespace(ns()).withName("single-rw").get());
        assertNotNull(client.services().inNamespace(ns()).withName("single-ro").get());
        assertNotNull(client.services().inNamespace(ns()).withName("single-headless").get());
        assertNull(client.resources(PodDisruptionBudget.class).inNamespace(ns()).withName("single").get(), "no PDB for one instance");
        try (Connection c = PgConnections.open(superuser("single-rw", "single")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('wal_level'), current_setting('password_encryption')")) {
            rs.next();
            assertEquals("replica", rs.getString(1));
            assertEquals("scram-sha-256", rs.getString(2));
        }
    }

    @Test
    void threeInstancesStreamAndAReplicaServesWhatThePrimaryWrote() throws Exception {
        create(managed("trio", 3, Map.of()));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "trio");
        assertEquals(3, ready.getStatus().getReadyInstances());
        assertEquals(2, ready.getStatus().getReplicas().size());
        assertTrue(ready.getStatus().getReplicas().stream().allMatch(r -> r.getState().equals("streaming")));
        assertNotNull(client.resources(PodDisruptionBudget.class).inNamespace(ns()).withName("trio").get());
        try (Connection c = PgConnections.open(superuser("trio-rw", "trio")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders_probe (id int primary key, note text)");
            st.execute("INSERT INTO orders_probe VALUES (42, 'written on the primary')");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = PgConnections.open(superuser("trio-ro", "trio")); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), "-ro reaches a replica");
                }
                try (ResultSet rs = st.executeQuery("SELECT note FROM orders_probe WHERE id = 42")) {
                    return rs.next() && rs.getString(1).equals("written on the primary");
                }
            } catch (SQLException e) {
                return false; // table not replayed yet
            }
        });
    }

    @Test
    void reloadableParametersReloadAndRestartParametersRollThePods() throws Exception {
        create(managed("tuned", 1, Map.of("work_mem", "16MB")));
        awaitReady(PostgresCluster.class, "tuned");
        String startedAt = query("tuned", "SELECT pg_postmaster_start_time()::text");
        assertEquals("16MB", query("tuned", "SHOW work_mem"));

        client.resources(PostgresCluster.class).inNamespace(ns()).withName("tuned")
                .edit(c -> { c.getSpec().getParameters().put("work_mem", "32MB"); return c; });
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> "32MB".equals(queryOrNull("tuned", "SHOW work_mem")));
        assertEquals(startedAt, query("tuned", "SELECT pg_postmaster_start_time()::text"), "a reload, not a restart");

        client.resources(PostgresCluster.class).inNamespace(ns()).withName("tuned")
                .edit(c -> { c.getSpec().getParameters().put("max_connections", "120"); return c; });
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> "120".equals(queryOrNull("tuned", "SHOW max_connections")));
        assertNotEquals(startedAt, query("tuned", "SELECT pg_postmaster_start_time()::text"), "max_connections needs a restart");
        PostgresCluster after = awaitReady(PostgresCluster.class, "tuned");
        assertEquals(after.getMetadata().getGeneration(), after.getStatus().getObservedGeneration());
    }

    @Test
    void anInvalidParameterIsStalledNamingTheFieldAndNothingIsCreated() {
        // a parameter the operator owns is refused by the API server itself (the CRD's CEL rule), as in a cluster
        io.fabric8.kubernetes.client.KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(
                io.fabric8.kubernetes.client.KubernetesClientException.class, () -> create(managed("owned", 1, Map.of("port", "6000"))));
        assertEquals(422, refused.getCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("spec.parameters"), refused.getMessage());
        // an unknown name and an out-of-range value pass the schema; the operator stalls on them before creating anything
        // (max_connections -1 would stop postgres at start (FATAL) and leave the primary waiting forever)
        create(managed("typo", 1, Map.of("shared_bufers", "1GB", "max_connections", "-1")));
        PostgresCluster stalled = awaitCondition(PostgresCluster.class, "typo", Conditions.STALLED, Reasons.INVALID_SPEC);
        String message = Conditions.find(stalled.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.contains("spec.parameters.shared_bufers: unknown PostgreSQL parameter"), message);
        assertTrue(message.contains("spec.parameters.max_connections: -1 is outside the valid range 1 .. 262143"), message);
        assertNull(client.apps().statefulSets().inNamespace(ns()).withName("typo").get());
    }

    @Test
    void anExternalServerIsAdoptedWithoutPodsAndAMissingSecretIsReportedUntilItAppears() {
        TestPostgres pg = TestPostgres.shared();
        create(external("ext", pg.port(), "ext-admin"));
        PostgresCluster waiting = awaitCondition(PostgresCluster.class, "ext", Conditions.RECONCILING, Reasons.CREDENTIALS_MISSING);
        assertTrue(Conditions.find(waiting.getStatus(), Conditions.READY).getMessage().contains("ext-admin"));
        create(adminSecret("ext-admin", TestPostgres.SUPERUSER, "test-superuser-password"));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "ext");
        assertEquals("External", ready.getStatus().getMode());
        assertTrue(ready.getStatus().getServerVersion().startsWith("15"));
        assertNull(client.apps().statefulSets().inNamespace(ns()).withName("ext").get(), "no pods for an external server");
    }

    @Test
    void aServerThatGoesDownIsReconcilingAndTheClusterRecoversWhenItReturns() {
        TestPostgres pg = TestPostgres.start();
        try {
            create(adminSecret("flaky-admin", TestPostgres.SUPERUSER, "test-superuser-password"));
            create(external("flaky", pg.port(), "flaky-admin"));
            awaitReady(PostgresCluster.class, "flaky");
            pg.pause();
            PostgresCluster down = awaitCondition(PostgresCluster.class, "flaky", Conditions.RECONCILING, Reasons.SERVER_UNREACHABLE);
            assertEquals(Boolean.FALSE, down.getStatus().getPrimaryReachable());
            assertEquals("False", Conditions.find(down.getStatus(), Conditions.STALLED).getStatus(), "retryable, not stalled");
            pg.resume();
            assertEquals(Boolean.TRUE, awaitReady(PostgresCluster.class, "flaky").getStatus().getPrimaryReachable());
        } finally {
            pg.stop();
        }
    }

    @Test
    void deletingKeepsVolumesAndCredentialsUnlessReclaimPolicyIsDelete() {
        create(managed("keep", 1, Map.of()));
        PostgresCluster deleteMe = managed("drop", 1, Map.of());
        deleteMe.getSpec().setReclaimPolicy(ReclaimPolicy.Delete);
        create(deleteMe);
        awaitReady(PostgresCluster.class, "keep");
        awaitReady(PostgresCluster.class, "drop");
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("keep").delete();
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("drop").delete();
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                client.apps().statefulSets().inNamespace(ns()).withName("keep").get() == null
                        && client.apps().statefulSets().inNamespace(ns()).withName("drop").get() == null
                        && client.persistentVolumeClaims().inNamespace(ns()).withName("data-drop-0").get() == null);
        assertNotNull(client.persistentVolumeClaims().inNamespace(ns()).withName("data-keep-0").get(), "Retain keeps the volume");
        assertNotNull(client.secrets().inNamespace(ns()).withName("keep-superuser").get(), "and the password that opens it");
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.secrets().inNamespace(ns()).withName("drop-superuser").get() == null);
    }

    private PgEndpoint superuser(String service, String cluster) {
        char[] password = ClusterCredentials.read(client, ns(), cluster + "-superuser", "password");
        return endpoint(service, "postgres", "postgres", password);
    }

    private String query(String cluster, String sql) throws SQLException {
        try (Connection c = PgConnections.open(superuser(cluster + "-rw", cluster)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String queryOrNull(String cluster, String sql) {
        try {
            return query(cluster, sql);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    static PostgresCluster external(String name, int port, String secret) {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresClusterSpec();
        var ext = new ExternalServerSpec();
        ext.setHost("127.0.0.1");
        ext.setPort(port);
        ext.setSslMode(ExternalServerSpec.SslMode.disable);
        var ref = new SecretKeyReference();
        ref.setName(secret);
        ext.setAdminSecretRef(ref);
        spec.setExternal(ext);
        spec.setParameters(null);
        c.setSpec(spec);
        return c;
    }

    static io.fabric8.kubernetes.api.model.Secret adminSecret(String name, String user, String password) {
        return new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .addToStringData("username", user).addToStringData("password", password).build();
    }
}
