package io.shopdb.operator.testing;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.CustomResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.runtime.RunningOperator;
import io.shopdb.operator.sandbox.Sandbox;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Base of the {@code *OperatorTest}s: the operator running against the sandbox's Kubernetes API (which follows
 * kube-apiserver's rules, see {@link EmbeddedApiServerResource}), with the sandbox runner playing kubelet (real
 * PostgreSQL processes). All subclasses share one Quarkus boot
 * (same annotations, same profile), so keep them on this base and give each test its own resource names.
 */
@QuarkusTestResource(value = EmbeddedApiServerResource.class, restrictToAnnotatedClass = true)
public abstract class OperatorTestBase {
    protected static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    @Inject protected KubernetesClient client;
    @Inject protected RunningOperator operator;
    @Inject protected Sandbox sandbox;
    @Inject protected ServiceAddresses addresses;

    @BeforeEach
    void startSandbox() {
        sandbox.start();
        operator.ensureStarted();
    }

    protected String ns() {
        return client.getNamespace();
    }

    protected <T extends HasMetadata> T create(T resource) {
        resource.getMetadata().setNamespace(ns());
        return client.resource(resource).create();
    }

    protected <S extends ShopdbStatus, T extends CustomResource<?, S>> T await(Class<T> type, String name, Predicate<T> condition) {
        return Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> client.resources(type).inNamespace(ns()).withName(name).get(),
                        r -> r != null && condition.test(r));
    }

    protected <S extends ShopdbStatus, T extends CustomResource<?, S>> T awaitReady(Class<T> type, String name) {
        return await(type, name, r -> Conditions.isReady(r.getStatus()));
    }

    protected <S extends ShopdbStatus, T extends CustomResource<?, S>> T awaitCondition(Class<T> type, String name, String condition, String reason) {
        return await(type, name, r -> {
            Condition c = Conditions.find(r.getStatus(), condition);
            return c != null && "True".equals(c.getStatus()) && (reason == null || reason.equals(c.getReason()));
        });
    }

    /** The address the operator itself would dial for a Service (local port of a sandbox pod). */
    protected PgEndpoint endpoint(String service, String database, String user, char[] password) {
        var a = addresses.resolve(ns(), service, 5432);
        // TLS without verification: pg_hba admits TLS only; ClusterTlsOperatorTest checks verification itself
        return new PgEndpoint(a.host(), a.port(), database, user, password, "require");
    }

    /** The superuser of {@code cluster} through its -rw Service (its Secret, as the operator made it). */
    protected PgEndpoint clusterSuperuser(String cluster) {
        char[] password = io.shopdb.operator.cluster.ClusterCredentials.read(client, ns(), cluster + "-superuser", "password");
        return endpoint(cluster + "-rw", "postgres", "postgres", password);
    }

    /** Runs {@code statements} as {@code cluster}'s superuser, in database postgres. */
    protected void sqlOn(String cluster, String... statements) throws java.sql.SQLException {
        try (java.sql.Connection c = io.shopdb.operator.sql.PgConnections.open(clusterSuperuser(cluster), 2, 60);
             java.sql.Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code sql}, as {@code cluster}'s superuser. */
    protected String valueOn(String cluster, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = io.shopdb.operator.sql.PgConnections.open(clusterSuperuser(cluster), 2, 60);
             java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Changes the PostgresCluster {@code name} as a person editing it would. */
    protected void editCluster(String name, java.util.function.Consumer<io.shopdb.operator.api.v1alpha1.PostgresCluster> change) {
        client.resources(io.shopdb.operator.api.v1alpha1.PostgresCluster.class).inNamespace(ns()).withName(name).edit(c -> {
            change.accept(c);
            return c;
        });
    }

    /** A one-instance cluster {prefix}-db, its owner role {prefix}_owner and the database {prefix}. */
    protected void clusterWithDatabase(String prefix, String moreDatabaseSpec) {
        create(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %1$s-db}
                spec: {instances: 1}
                """.formatted(prefix), io.shopdb.operator.api.v1alpha1.PostgresCluster.class));
        create(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: %1$s-owner}
                spec: {clusterRef: {name: %1$s-db}, name: %1$s_owner}
                """.formatted(prefix), io.shopdb.operator.api.v1alpha1.PostgresRole.class));
        create(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: %1$s}
                spec:
                  clusterRef: {name: %1$s-db}
                  owner: %1$s_owner
                  %2$s
                """.formatted(prefix, moreDatabaseSpec), io.shopdb.operator.api.v1alpha1.PostgresDatabase.class));
    }
}
