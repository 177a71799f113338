package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.StatusHistory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spec.hibernate: every pod goes, the volumes and Secrets stay, the cluster says Hibernated, a database declared
 * meanwhile waits for it; waking brings the same data back on the same primary.
 */
@QuarkusTest
class HibernationOperatorTest extends OperatorTestBase {

    @Test
    void aHibernatedClusterKeepsItsDataAndWakesOnTheSamePrimary() throws Exception {
        create(ClusterOperatorTest.managed("hib", 2, Map.of()));
        PostgresCluster ready = awaitReady(PostgresCluster.class, "hib");
        assertEquals("hib-0", ready.getStatus().getCurrentPrimary());
        exec("CREATE TABLE orders (id int)", "INSERT INTO orders SELECT generate_series(1, 1000)");

        hibernate(true);
        PostgresCluster hibernated = await(PostgresCluster.class, "hib", c -> "Hibernated".equals(c.getStatus().getPhase()));
        assertTrue(Conditions.isReady(hibernated.getStatus()), "the declared state is reached");
        assertEquals(Reasons.HIBERNATED, Conditions.find(hibernated.getStatus(), Conditions.READY).getReason());
        assertEquals("0/2", hibernated.getStatus().getInstances());
        assertEquals(0, client.pods().inNamespace(ns()).withLabel("shopdb.io/cluster", "hib").list().getItems().size(), "no pod runs");
        assertEquals(0, client.apps().statefulSets().inNamespace(ns()).withName("hib").get().getSpec().getReplicas());
        assertNotNull(client.persistentVolumeClaims().inNamespace(ns()).withName("data-hib-0").get(), "the primary's volume stays");
        assertNotNull(client.persistentVolumeClaims().inNamespace(ns()).withName("data-hib-1").get(), "the replica's volume stays");
        assertNotNull(client.secrets().inNamespace(ns()).withName("hib-superuser").get(), "and its credentials");

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: hibshop}
                spec: {clusterRef: {name: hib}, owner: postgres}
                """, PostgresDatabase.class));
        awaitCondition(PostgresDatabase.class, "hibshop", Conditions.RECONCILING, Reasons.CLUSTER_HIBERNATED);

        PostgresCluster woken;
        try (StatusHistory<PostgresClusterStatus, PostgresCluster> history = new StatusHistory<>(client, PostgresCluster.class, ns())) {
            hibernate(false);
            Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
                PostgresCluster c = client.resources(PostgresCluster.class).inNamespace(ns()).withName("hib").get();
                return Conditions.isReady(c.getStatus()) && Reasons.READY.equals(Conditions.find(c.getStatus(), Conditions.READY).getReason());
            });
            woken = client.resources(PostgresCluster.class).inNamespace(ns()).withName("hib").get();
            List<String> reasons = history.of("hib").stream().map(StatusHistory.Seen::reason).distinct().toList();
            assertTrue(reasons.stream().noneMatch(r -> r != null && r.startsWith("Failover")),
                    "waking is a start, not a lost primary: no failover verdict on the way " + reasons);
        }
        assertEquals("hib-0", woken.getStatus().getCurrentPrimary(), "the former primary is the primary again: no failover on waking");
        assertEquals("2/2", woken.getStatus().getInstances());
        assertEquals("1000", query("SELECT count(*) FROM orders"), "the same data");
        awaitReady(PostgresDatabase.class, "hibshop");
    }

    private void hibernate(boolean on) {
        client.resources(PostgresCluster.class).inNamespace(ns()).withName("hib").edit(c -> {
            c.getSpec().setHibernate(on);
            return c;
        });
    }

    private PgEndpoint superuser() {
        char[] password = ClusterCredentials.read(client, ns(), "hib-superuser", "password");
        return endpoint("hib-rw", "postgres", "postgres", password);
    }

    private void exec(String... statements) throws Exception {
        try (Connection c = PgConnections.open(superuser()); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private String query(String sql) throws Exception {
        try (Connection c = PgConnections.open(superuser()); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
