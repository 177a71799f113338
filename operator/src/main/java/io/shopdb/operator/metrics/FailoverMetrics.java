package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.shopdb.operator.access.PrimaryChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * shopdb_pg_failovers_total{namespace,cluster} and shopdb_pg_switchovers_total{namespace,cluster}: primary
 * changes this operator made, counted when they finish. Counters restart at 0 with the operator (Prometheus'
 * increase() handles that); status.failovers keeps the cluster's own total.
 */
@ApplicationScoped
public class FailoverMetrics {
    static final String FAILOVERS = "shopdb_pg_failovers";
    static final String SWITCHOVERS = "shopdb_pg_switchovers";

    @Inject MeterRegistry registry;

    void onPrimaryChanged(@Observes PrimaryChanged change) {
        registry.counter(change.planned() ? SWITCHOVERS : FAILOVERS, "namespace", change.namespace(), "cluster", change.cluster()).increment();
    }
}
