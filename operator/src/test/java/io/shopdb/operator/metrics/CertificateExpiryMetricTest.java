package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.TlsStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CertificateExpiryMetricTest {
    @Test
    void eachClusterWithACertificateHasItsExpiry() {
        PostgresCluster withTls = cluster("shop", "2027-12-01T00:00:00Z");
        PostgresCluster external = cluster("ext", null);
        Map<MeterSet.Series, Double> series = ResourceMetrics.certificateExpiries(List.<HasMetadata>of(withTls, external));
        assertEquals(Map.of(MeterSet.Series.gauge(ResourceMetrics.CERTIFICATE_EXPIRY, Tags.of("namespace", "prod", "cluster", "shop")),
                (double) java.time.Instant.parse("2027-12-01T00:00:00Z").getEpochSecond()), series);
    }

    private static PostgresCluster cluster(String name, String notAfter) {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("prod").build());
        var status = new PostgresClusterStatus();
        if (notAfter != null) {
            var tls = new TlsStatus();
            tls.setNotAfter(notAfter);
            status.setTls(tls);
        }
        c.setStatus(status);
        return c;
    }
}
