package io.shopdb.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Operator settings (application.properties, or env SHOPDB_*). */
@ConfigMapping(prefix = "shopdb")
public interface ShopdbConfig {
    /**
     * How often a Ready resource is checked again against the server. This is what reverts drift made by
     * hand (a privilege granted in psql, a dropped schema) and refreshes status such as sizes and lag.
     */
    @WithDefault("60s")
    Duration recheckInterval();
}
