package io.shopdb.operator.runtime;

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

    /**
     * A resource waiting for an event (its cluster to become Ready) is woken by that event; this long safety
     * re-check only bounds how long a wake-up that never came can leave it waiting (a watch that lost events).
     */
    @WithDefault("10m")
    Duration waitingRecheck();

    /** The JDBC pools the controllers share: one per PostgreSQL cluster and database (sql/PgPools). */
    Pool pool();

    interface Pool {
        /**
         * Most connections one pool opens. Reconciles borrow one at a time and return it at once, so a few
         * serve thousands of resources; keep max-size × databases × clusters under the servers' max_connections.
         */
        @WithDefault("4")
        int maxSize();

        /** An unused connection is closed after this long (a quiet cluster holds none). */
        @WithDefault("5m")
        Duration idleTimeout();

        /** Every connection is replaced after this long, so server-side settings and memory are renewed. */
        @WithDefault("30m")
        Duration maxLifetime();

        /**
         * Longest wait for a connection (connecting, or a free one from a busy pool). Short, because a reconcile
         * thread waiting here serves no one else; a server that does not answer in time is retried with backoff.
         */
        @WithDefault("5s")
        Duration connectionTimeout();
    }

    /** The backup agent that backup, restore and verify Jobs run. */
    Agent agent();

    interface Agent {
        /**
         * Image of the agent Jobs: this operator's own image (the agent is a command of the same jar); it must
         * also hold the PostgreSQL client tools (pg_dump, pg_restore, pg_basebackup) of the newest major served.
         * The default is the image of this very release (never a moving tag such as latest); the Helm chart
         * passes the image the operator itself runs.
         */
        @WithDefault("ghcr.io/shopdb/shopdb-operator:${quarkus.application.version}")
        String image();

        /** New Jobs after a retryable agent failure (server down, storage I/O) when the resource does not say. */
        @WithDefault("2")
        int retries();
    }
}
