package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** shopdb_resource_stalled: one series per Stalled resource with its reason, none for the others. */
class StalledMetricTest {
    @Test
    void aStalledResourceIsOneSeriesNamingItsReason() {
        Map<MeterSet.Series, Double> series = ResourceMetrics.stalled(List.<HasMetadata>of(
                backup("nightly", "Stalled", "True", "EncryptionKeyProblem"), backup("weekly", "Ready", "True", "Ready"),
                backup("old", "Stalled", "False", "ChecksumMismatch")));
        assertEquals(Map.of(MeterSet.Series.gauge(ResourceMetrics.STALLED, Tags.of("kind", "PostgresBackup", "namespace", "prod", "name", "nightly",
                "reason", "EncryptionKeyProblem")), 1.0), series);
    }

    private static PostgresBackup backup(String name, String type, String status, String reason) {
        var b = new PostgresBackup();
        b.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("prod").build());
        var s = new PostgresBackupStatus();
        s.getConditions().add(new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage("m").build());
        b.setStatus(s);
        return b;
    }
}
