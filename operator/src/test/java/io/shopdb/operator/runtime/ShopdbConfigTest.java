package io.shopdb.operator.runtime;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShopdbConfigTest {
    @Test
    void theAgentImageDefaultsToThisReleaseNotLatest() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // expressions, as in Quarkus
                .withMapping(ShopdbConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("quarkus.application.version", "4.5.6"), "test", 100))
                .build();
        assertEquals("ghcr.io/shopdb/shopdb-operator:4.5.6", config.getConfigMapping(ShopdbConfig.class).agent().image());
    }
}
