package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.StandbySpec;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.OperatorTestBase;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spec.standby, as a planned move between two regions: a standby of "east" copies it, follows its writes and refuses
 * its own; what is declared for it waits. Then east is demoted and west promoted: no committed row is lost, west takes
 * writes, and east follows west, its data rewound rather than copied anew.
 */
@QuarkusTest
class StandbyClusterSlowTest extends OperatorTestBase {
    @Inject LocalKubelet kubelet;

    @Test
    void aStandbyFollowsItsSourceAndAPlannedMoveLosesNoRowAndCopiesNothingAgain() throws Exception {
        create(ClusterOperatorTest.managed("east", 1, Map.of()));
        awaitReady(PostgresCluster.class, "east");
        sqlOn("east", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");

        PostgresCluster west = ClusterOperatorTest.managed("west", 2, Map.of());
        west.getSpec().setStandby(StandbySpec.of("east"));
        create(west);
        PostgresCluster standby = awaitCondition(PostgresCluster.class, "west", Conditions.READY, Reasons.STANDBY);
        assertEquals("Standby", standby.getStatus().getPhase());
        assertEquals("east", standby.getStatus().getStandby().getSource());
        assertEquals("100", valueOn("west", "SELECT count(*) FROM orders"), "the standby holds the source's rows");

        sqlOn("east", "INSERT INTO orders SELECT generate_series(101, 200)");
        PostgresCluster caughtUp = await(PostgresCluster.class, "west", c -> c.getStatus().getStandby() != null
                && Long.valueOf(0).equals(c.getStatus().getStandby().getLagBytes()) && Boolean.TRUE.equals(c.getStatus().getStandby().getStreaming()));
        assertEquals(0L, caughtUp.getStatus().getStandby().getReplayDelaySeconds());
        assertEquals("200", valueOn("west", "SELECT count(*) FROM orders"), "and follows its writes");
        assertEquals("2/2", caughtUp.getStatus().getInstances(), "its replica streams from its primary: " + caughtUp.getStatus().getReplicas());
        PostgresCluster source = client.resources(PostgresCluster.class).inNamespace(ns()).withName("east").get();
        assertTrue(source.getStatus().getReplicas().isEmpty(), "a standby streaming from east is no replica of east's: "
                + source.getStatus().getReplicas());
        SQLException refused = assertThrows(SQLException.class, () -> sqlOn("west", "INSERT INTO orders VALUES (0)"));
        assertEquals("25006", refused.getSQLState(), "read-only: " + refused.getMessage());

        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: west-app}
                spec: {clusterRef: {name: west}, name: west_app}
                """, PostgresRole.class));
        awaitCondition(PostgresRole.class, "west-app", Conditions.RECONCILING, Reasons.CLUSTER_IS_STANDBY);

        // the move: writes stop on east (demoted: a standby of west), then west is promoted once it replayed east's end
        editCluster("east", c -> c.getSpec().setStandby(StandbySpec.of("west")));
        PostgresCluster demoted = awaitCondition(PostgresCluster.class, "east", Conditions.READY, Reasons.STANDBY);
        assertEquals("west", demoted.getStatus().getStandby().getSource());
        editCluster("west", c -> c.getSpec().getStandby().setEnabled(false));
        PostgresCluster promoted = awaitCondition(PostgresCluster.class, "west", Conditions.READY, Reasons.READY);
        assertNotNull(promoted.getStatus().getStandby().getPromotedAt(), "status.standby says when: " + promoted.getStatus().getStandby());
        assertEquals("200", valueOn("west", "SELECT count(*) FROM orders"), "no committed row is lost in a planned move");

        sqlOn("west", "INSERT INTO orders SELECT generate_series(201, 300)");
        await(PostgresCluster.class, "east", c -> c.getStatus().getStandby() != null
                && Long.valueOf(0).equals(c.getStatus().getStandby().getLagBytes()));
        assertEquals("300", valueOn("east", "SELECT count(*) FROM orders"), "the former source follows the promoted cluster");
        String log = Files.readString(kubelet.root().resolve("pods").resolve(ns()).resolve("east-0").resolve("container.log"));
        assertTrue(log.contains("was a primary, or its cluster was demoted; rewinding it onto the timeline of the source cluster's primary"), log);
        assertFalse(log.contains("shopdb: cloning"), "demoted without a new copy: " + log);
        awaitReady(PostgresRole.class, "west-app"); // what waited for the standby applies once it is promoted
    }

    /**
     * spec.standby.archive: with the source cut off (no stream: Services drop its connections), a client on its side
     * keeps writing; its wal-archiver still ships to the shared archive, and the standby replays those commits from there.
     */
    @Test
    void aStandbyReplaysTheSourcesArchiveWhileItCannotStreamFromIt() throws Exception {
        create(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName("dr-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteMany").withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources().endSpec().build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: north}
                spec:
                  instances: 1
                  walArchive: {target: {pvc: {claimName: dr-store, subPath: arch}}}
                """, PostgresCluster.class));
        PostgresCluster north = await(PostgresCluster.class, "north", c -> Conditions.isReady(c.getStatus())
                && c.getStatus().getWalArchive() != null && c.getStatus().getWalArchive().getPrefix() != null);
        sqlOn("north", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");

        PostgresCluster south = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: south}
                spec:
                  instances: 1
                  standby:
                    source: {name: north}
                    archive: {pvc: {claimName: dr-store, subPath: arch}}
                """, PostgresCluster.class);
        create(south);
        PostgresCluster standby = awaitCondition(PostgresCluster.class, "south", Conditions.READY, Reasons.STANDBY);
        assertEquals(north.getStatus().getWalArchive().getPrefix(), standby.getStatus().getStandby().getArchivePrefix());
        assertTrue(client.pods().inNamespace(ns()).withName("south-0").get().getSpec().getContainers().stream()
                .anyMatch(c -> c.getName().equals("wal-fetcher")), "the primary has its wal-fetcher");
        assertEquals("100", valueOn("south", "SELECT count(*) FROM orders"));

        client.pods().inNamespace(ns()).withName("north-0").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations(LocalKubelet.CUT_OFF_ANNOTATION, "true").endMetadata().build());
        try {
            try (Connection c = PgConnections.open(podSuperuser("north", "north-0")); Statement st = c.createStatement()) {
                st.execute("INSERT INTO orders SELECT generate_series(101, 200)");
                st.execute("SELECT pg_switch_wal()"); // the segment with them goes to the archive now, not at archive_timeout
            }
            org.awaitility.Awaitility.await().atMost(READY_TIMEOUT).until(() -> "200".equals(valueOn("south", "SELECT count(*) FROM orders")));
            PostgresCluster cut = await(PostgresCluster.class, "south", c -> c.getStatus().getStandby() != null
                    && Boolean.FALSE.equals(c.getStatus().getStandby().getStreaming()));
            assertTrue(cut.getStatus().getStandby().getMessage() != null, "the source is not reached: " + cut.getStatus().getStandby());
        } finally {
            client.pods().inNamespace(ns()).withName("north-0").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                    .editMetadata().addToAnnotations(LocalKubelet.CUT_OFF_ANNOTATION, "false").endMetadata().build());
        }
    }

    /**
     * Failback after a promotion the source did not see (its region cut off, or promoted while it still ran): the old
     * cluster took writes of its own, its replica too. Demoted, every instance is rewound onto the promoted cluster:
     * the writes it took alone are gone, the promoted cluster's are there, and the replica streams again.
     */
    @Test
    void aSourceThatWentOnAloneIsRewoundWithItsReplicaWhenDemoted() throws Exception {
        create(ClusterOperatorTest.managed("old", 2, Map.of()));
        awaitReady(PostgresCluster.class, "old");
        sqlOn("old", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 10)");
        PostgresCluster fresh = ClusterOperatorTest.managed("fresh", 1, Map.of());
        fresh.getSpec().setStandby(StandbySpec.of("old"));
        create(fresh);
        awaitCondition(PostgresCluster.class, "fresh", Conditions.READY, Reasons.STANDBY);
        editCluster("fresh", c -> c.getSpec().getStandby().setEnabled(false));
        awaitCondition(PostgresCluster.class, "fresh", Conditions.READY, Reasons.READY);

        sqlOn("old", "INSERT INTO orders SELECT generate_series(1001, 1010)"); // the old cluster goes on alone, its replica with it
        org.awaitility.Awaitility.await().atMost(READY_TIMEOUT).until(() -> "20".equals(queryPod("old", "old-1", "SELECT count(*) FROM orders")));
        sqlOn("fresh", "INSERT INTO orders SELECT generate_series(2001, 2010)");

        editCluster("old", c -> c.getSpec().setStandby(StandbySpec.of("fresh")));
        PostgresCluster demoted;
        try {
            demoted = await(PostgresCluster.class, "old", c -> Conditions.isReady(c.getStatus())
                    && Reasons.STANDBY.equals(Conditions.find(c.getStatus(), Conditions.READY).getReason()) && "2/2".equals(c.getStatus().getInstances()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("old did not become a 2-instance standby; old-1's log:\n" + containerLog("old-1"), e);
        }
        assertNotNull(demoted.getStatus().getStandby().getDemotedAt());
        org.awaitility.Awaitility.await().atMost(READY_TIMEOUT).until(() -> "20".equals(queryPod("old", "old-1", "SELECT count(*) FROM orders")));
        assertEquals("0", valueOn("old", "SELECT count(*) FROM orders WHERE id > 1000 AND id < 2000"), "what it took alone is gone");
        assertEquals("10", valueOn("old", "SELECT count(*) FROM orders WHERE id > 2000"), "what the promoted cluster took is there");
        assertEquals("0", queryPod("old", "old-1", "SELECT count(*) FROM orders WHERE id > 1000 AND id < 2000"), "on the replica too");
        String replicaLog = containerLog("old-1");
        assertTrue(replicaLog.contains("its cluster was demoted; rewinding") && replicaLog.contains("servers diverged at WAL location"),
                "the replica's own writes were rewound, not kept: " + replicaLog);
    }

    private String containerLog(String pod) {
        try {
            return Files.readString(kubelet.root().resolve("pods").resolve(ns()).resolve(pod).resolve("container.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The superuser on one instance's own address (a client on its side of a partition; a standby's replica has no Service of its own). */
    private PgEndpoint podSuperuser(String cluster, String pod) {
        var a = kubelet.podAddress(ns(), pod, 5432);
        return new PgEndpoint(a.host(), a.port(), "postgres", "postgres", ClusterCredentials.read(client, ns(), cluster + "-superuser", "password"), "require");
    }

    private String queryPod(String cluster, String pod, String sql) throws SQLException {
        try (Connection c = PgConnections.open(podSuperuser(cluster, pod)); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }





}
