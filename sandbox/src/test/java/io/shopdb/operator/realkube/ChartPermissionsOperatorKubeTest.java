package io.shopdb.operator.realkube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.runtime.RunningOperator;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.TestPostgres;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.ResultSet;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator (this JVM) on the real control plane with the chart's ServiceAccount token only: an external
 * PostgreSQL adopted by a PostgresCluster, a database and a login role with grants reach Ready, the role's
 * connection Secret is written; then the namespace is deleted with all of it inside, and the namespace
 * controller and the operator's finalizers finish it.
 */
@QuarkusTest
@QuarkusTestResource(value = ChartPermissionsResource.class, restrictToAnnotatedClass = true)
class ChartPermissionsOperatorKubeTest {
    static final String NS = "shop-real";

    @Inject RunningOperator operator;

    @Test
    void anExternalClusterItsDatabaseAndARoleBecomeReadyWithTheChartsPermissionsAndLeaveWithTheirNamespace() throws Exception {
        operator.ensureStarted(); // tests start the operator themselves (OperatorApplication does in a pod)
        TestPostgres pg = TestPostgres.start();
        pg.exec("postgres", "CREATE ROLE realshop_owner", "CREATE DATABASE realshop OWNER realshop_owner");
        pg.exec("realshop", "CREATE SCHEMA sales AUTHORIZATION realshop_owner", "SET ROLE realshop_owner", "CREATE TABLE sales.orders (id int)");
        try (KubernetesClient admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(RealControlPlane.get().kubeconfig()))).build()) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
            admin.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("real-admin").endMetadata()
                    .addToStringData("username", "postgres").addToStringData("password", new String(pg.superuser().password())).build()).create();
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresCluster
                    metadata: {name: real-db, namespace: %s}
                    spec:
                      external: {host: 127.0.0.1, port: %d, sslMode: disable, adminSecretRef: {name: real-admin}}
                    """.formatted(NS, pg.port()), GenericKubernetesResource.class)).create();
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresDatabase
                    metadata: {name: realshop, namespace: %s}
                    spec: {clusterRef: {name: real-db}, owner: realshop_owner, schemas: [{name: sales, owner: realshop_owner}]}
                    """.formatted(NS), PostgresDatabase.class)).create();
            admin.resource(Serialization.unmarshal("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRole
                    metadata: {name: real-app, namespace: %s}
                    spec:
                      clusterRef: {name: real-db}
                      name: real_app
                      login: true
                      grants:
                        - database: realshop
                          privileges: [CONNECT]
                          schemas: [{name: sales, privileges: [USAGE], tables: [SELECT, INSERT]}]
                    """.formatted(NS), PostgresRole.class)).create();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertTrue(Conditions.isReady(admin.resources(PostgresCluster.class).inNamespace(NS).withName("real-db").get().getStatus()), "cluster Ready");
                assertTrue(Conditions.isReady(admin.resources(PostgresDatabase.class).inNamespace(NS).withName("realshop").get().getStatus()), "database Ready");
                assertTrue(Conditions.isReady(admin.resources(PostgresRole.class).inNamespace(NS).withName("real-app").get().getStatus()), "role Ready");
            });
            assertNotNull(admin.secrets().inNamespace(NS).withName("real-app-connection").get(), "the role's connection Secret");
            try (var c = pg.connect("realshop"); var st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT has_table_privilege('real_app', 'sales.orders', 'INSERT')")) {
                assertTrue(rs.next() && rs.getBoolean(1), "the grant reached the server");
            }

            admin.namespaces().withName(NS).delete();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> admin.namespaces().withName(NS).get() == null);
            try (var c = pg.connect("realshop"); var st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'real_app'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "deleting the resources keeps the role (reclaimPolicy Retain by default)");
            }
        } finally {
            pg.stop();
        }
    }
}
