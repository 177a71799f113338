package io.shopdb.operator.realkube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.sandbox.Sandbox;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.runtime.RunningOperator;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A managed cluster on the real control plane: the operator (this JVM, the chart's permissions only) makes its
 * StatefulSet, the real StatefulSet controller its pods and claims, the sandbox's provisioner their volumes, the real
 * scheduler binds the pods to the sandbox's nodes (one instance per node, as the anti-affinity prefers), and the
 * sandbox's kubelet runs them as local processes in a namespace enforcing the restricted Pod Security standard, and
 * Services resolve through the real EndpointSlices. Then the primary's node loses its kubelet (its processes die, its
 * Lease is no longer renewed): the operator's probe fails over to the replica, which takes writes with the rows written
 * before, and after its grace period the node lifecycle controller marks the node Unknown and its pods not ready.
 */
@QuarkusTest
@QuarkusTestResource(value = ChartPermissionsResource.class, restrictToAnnotatedClass = true)
class ManagedClusterKubeTest {
    static final String NS = "shop-nodes";

    @Inject RunningOperator operator;
    @Inject Sandbox sandbox;
    @Inject ServiceAddresses addresses;
    @Inject io.shopdb.operator.sandbox.harness.OperatorInstances instances;

    @Test
    void aManagedClusterRunsOnTheRealControlPlaneAndFailsOverWhenThePrimarysNodeIsLost() throws Exception {
        {
            KubernetesClient admin = admin();
            startNodesAndOperator(admin);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                    .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresCluster
                    metadata: {name: node-db, namespace: %s}
                    spec: {instances: 2}
                    """.formatted(NS), PostgresCluster.class)).create();
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                PostgresCluster c = admin.resources(PostgresCluster.class).inNamespace(NS).withName("node-db").get();
                return c.getStatus() != null && Conditions.isReady(c.getStatus()) && Integer.valueOf(2).equals(c.getStatus().getReadyInstances());
            });
            var pods = admin.pods().inNamespace(NS).withLabel("shopdb.io/cluster", "node-db").list().getItems();
            assertEquals(2, pods.size());
            assertNotEquals(pods.get(0).getSpec().getNodeName(), pods.get(1).getSpec().getNodeName(), "the scheduler spread the instances");
            assertNotNull(admin.persistentVolumeClaims().inNamespace(NS).withName("data-node-db-0").get().getSpec().getVolumeName(),
                    "the claim is bound to a provisioned volume");
            await("the EndpointSlice controller lists the primary behind -rw").atMost(Duration.ofSeconds(30)).until(() ->
                    admin.discovery().v1().endpointSlices().inNamespace(NS).withLabel("kubernetes.io/service-name", "node-db-rw").list().getItems()
                            .stream().mapToInt(s -> s.getEndpoints() == null ? 0 : s.getEndpoints().size()).sum() == 1);

            String primary = admin.resources(PostgresCluster.class).inNamespace(NS).withName("node-db").get().getStatus().getCurrentPrimary();
            sql(admin, "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
            Thread.sleep(1000); // the replica receives them (asynchronous replication)
            String node = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst().map(Pod::getSpec).orElseThrow().getNodeName();
            sandbox.loseNode(node);

            // the node lifecycle controller's grace period (40 s) and then the failover
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                PostgresCluster c = admin.resources(PostgresCluster.class).inNamespace(NS).withName("node-db").get();
                return c.getStatus().getCurrentPrimary() != null && !primary.equals(c.getStatus().getCurrentPrimary());
            });
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() ->
                    sql(admin, "INSERT INTO orders VALUES (101)"));
            try (Connection c = PgConnections.open(superuser(admin)); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                assertTrue(rs.next());
                assertEquals(101, rs.getInt(1), "the promoted replica has the rows and takes writes");
            }
            // the node lifecycle controller, after its grace period, marks the node whose Lease stopped and its pods
            await("the node lifecycle controller marks the lost node").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> "Unknown".equals(admin.nodes().withName(node).get().getStatus().getConditions().stream()
                            .filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow().getStatus()));
            assertTrue(admin.pods().inNamespace(NS).withName(primary).get().getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus())), "and the pod on it not ready");
            admin.namespaces().withName(NS).delete();
            sandbox.restoreNode(node); // its kubelet is back: the next test has three nodes again
        }
    }

    /**
     * The whole shop (examples/shop through kubectl apply -k: a 2-instance cluster, its database with schemas and
     * extensions, four roles with grants, Flyway migrations from a kustomize-made ConfigMap, a PgBouncer pooler) Ready on
     * the real control plane; then a logical backup to a claim the sandbox provisions, run as a Job by the real Job
     * controller, and its restore into a new database with the same rows.
     */
    @Test
    void theShopExampleBecomesReadyAndItsBackupRestoresIntoANewDatabase() throws Exception {
        String ns = "shop-example";
        {
            KubernetesClient admin = admin();
            startNodesAndOperator(admin);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
            var kubectl = RealControlPlane.get().kubectl(Files.createTempDirectory("shop-kubectl-"));
            var applied = kubectl.run("apply", "-k", "examples/shop", "-n", ns);
            assertEquals(0, applied.exitCode(), applied.output());
            await("every resource of the shop Ready").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).until(() ->
                    allReady(admin.resources(PostgresCluster.class).inNamespace(ns).list().getItems())
                            && allReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresDatabase.class).inNamespace(ns).list().getItems())
                            && allReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresRole.class).inNamespace(ns).list().getItems())
                            && allReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresMigration.class).inNamespace(ns).list().getItems())
                            && allReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresPooler.class).inNamespace(ns).list().getItems()));

            admin.resource(Serialization.unmarshal("""
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata: {name: shop-store, namespace: %s}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
                    """.formatted(ns), io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class)).create();
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresBackup
                    metadata: {name: shop-once, namespace: %s}
                    spec: {clusterRef: {name: shop-db}, method: logical, databases: [shop], target: {pvc: {claimName: shop-store, subPath: once}}}
                    """.formatted(ns), io.shopdb.operator.api.v1alpha1.PostgresBackup.class)).create();
            await("the backup Job's pod ran and the backup is Ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() ->
                    Conditions.isReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresBackup.class).inNamespace(ns).withName("shop-once").get().getStatus()));
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRestore
                    metadata: {name: shop-copy, namespace: %s}
                    spec: {backupRef: {name: shop-once}, clusterRef: {name: shop-db}, targetDatabase: shop_copy, database: shop}
                    """.formatted(ns), io.shopdb.operator.api.v1alpha1.PostgresRestore.class)).create();
            await("the restore is Ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() ->
                    Conditions.isReady(admin.resources(io.shopdb.operator.api.v1alpha1.PostgresRestore.class).inNamespace(ns).withName("shop-copy").get().getStatus()));
            var a = addresses.resolve(ns, "shop-db-rw", 5432);
            char[] password = ClusterCredentials.read(admin, ns, "shop-db-superuser", "password");
            long original = count(new PgEndpoint(a.host(), a.port(), "shop", "postgres", password, "require"), "SELECT count(*) FROM catalog.categories");
            long copied = count(new PgEndpoint(a.host(), a.port(), "shop_copy", "postgres", password, "require"), "SELECT count(*) FROM catalog.categories");
            assertTrue(original > 0, "the migrations loaded reference data");
            assertEquals(original, copied, "the restored database has the backup's rows");
            admin.namespaces().withName(ns).delete();
        }
    }

    private static boolean allReady(java.util.List<? extends io.fabric8.kubernetes.client.CustomResource<?, ? extends io.shopdb.operator.api.v1alpha1.ShopdbStatus>> items) {
        return !items.isEmpty() && items.stream().allMatch(r -> Conditions.isReady(r.getStatus()));
    }

    private static long count(PgEndpoint endpoint, String sql) throws Exception {
        try (Connection c = PgConnections.open(endpoint, 2, 30); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The nodes' client (a kubeconfig's admin), one for the test JVM: the sandbox's node side keeps using it between tests. */
    private static KubernetesClient adminClient;

    private static synchronized KubernetesClient admin() throws Exception {
        if (adminClient == null) {
            adminClient = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(RealControlPlane.get().kubeconfig()))).build();
        }
        return adminClient;
    }

    private void startNodesAndOperator(KubernetesClient admin) {
        sandbox.startOn(admin);
        try {
            operator.ensureStarted();
        } catch (io.javaoperatorsdk.operator.OperatorException e) {
            // seen on a control plane seconds old, its CRDs just established: an informer's first list answered by a
            // closed connection stops the operator; in a cluster its pod restarts, here a fresh instance starts
            instances.restart("restarted-after-startup-failure");
        }
    }

    private PgEndpoint superuser(KubernetesClient admin) {
        var a = addresses.resolve(NS, "node-db-rw", 5432);
        return new PgEndpoint(a.host(), a.port(), "postgres", "postgres", ClusterCredentials.read(admin, NS, "node-db-superuser", "password"), "require");
    }

    private void sql(KubernetesClient admin, String... statements) throws Exception {
        try (Connection c = PgConnections.open(superuser(admin), 2, 30); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
