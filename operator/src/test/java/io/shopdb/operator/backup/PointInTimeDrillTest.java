package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresBackupScheduleSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.kube.DesiredState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** The point-in-time drill's scratch cluster {@code <schedule>-drill}: made, checked and deleted only if the schedule made it. */
@EnableKubernetesMockClient(crud = true)
class PointInTimeDrillTest {
    KubernetesClient client;

    PostgresBackupSchedule schedule(String uid) {
        var s = new PostgresBackupSchedule();
        s.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("shop").withUid(uid).build());
        var spec = new PostgresBackupScheduleSpec();
        spec.setClusterRef(new LocalReference("orders"));
        s.setSpec(spec);
        return s;
    }

    PostgresBackup backup() {
        var b = new PostgresBackup();
        b.setMetadata(new ObjectMetaBuilder().withName("nightly-1").withNamespace("shop").build());
        return b;
    }

    PostgresCluster someonesCluster() {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName("nightly-drill").withNamespace("shop").build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(1);
        c.setSpec(spec);
        return client.resource(c).create();
    }

    @Test
    void aClusterOfTheDrillsNameThatTheScheduleDidNotMakeIsNeitherUsedNorDeleted() {
        someonesCluster();
        var drill = new PointInTimeDrill(client, null);
        var result = drill.step(schedule("uid-1"), backup(), Instant.now(), Duration.ofMinutes(5));
        assertNotNull(result);
        assertFalse(result.ok());
        assertTrue(result.message().contains("not made by this schedule"), result.message());
        drill.cleanUp(schedule("uid-1"));
        assertNotNull(client.resources(PostgresCluster.class).inNamespace("shop").withName("nightly-drill").get(), "kept");
    }

    @Test
    void theSchedulesOwnScratchClusterIsMadeAndCleanedUp() {
        var drill = new PointInTimeDrill(client, null);
        assertNull(drill.step(schedule("uid-2"), backup(), Instant.now(), Duration.ofMinutes(5)), "created, not Ready yet");
        var made = client.resources(PostgresCluster.class).inNamespace("shop").withName("nightly-drill").get();
        assertTrue(PointInTimeDrill.madeBy(made, schedule("uid-2")));
        assertFalse(PointInTimeDrill.madeBy(made, schedule("uid-3")), "a schedule re-created under the name is another owner");
        drill.cleanUp(schedule("uid-2"));
        assertNull(client.resources(PostgresCluster.class).inNamespace("shop").withName("nightly-drill").get());
    }
}
