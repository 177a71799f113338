package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.metrics.MeterSet.Series.gauge;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** status.partitions to series: one per existing table, labelled by the PostgreSQL database name. */
class PartitionMetricsTest {
    @Test
    void existingTablesOnlyLabelledByClusterAndDatabaseName() {
        PostgresDatabase db = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: shop-db-resource, namespace: shop}
                spec: {clusterRef: {name: pg}, owner: o}
                status:
                  databaseName: shop
                  partitions:
                    - {table: sales.orders, exists: true, ahead: 3, behind: 11, defaultRows: 7}
                    - {table: sales.events, exists: false, message: not yet}
                """, PostgresDatabase.class);
        PostgresDatabase none = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: other, namespace: shop}
                spec: {clusterRef: {name: pg}, owner: o}
                status: {databaseName: other}
                """, PostgresDatabase.class);
        Map<MeterSet.Series, Double> out = new HashMap<>();
        PartitionMetrics.series(List.of(db, none), out);
        Tags orders = Tags.of("namespace", "shop", "cluster", "pg", "database", "shop", "table", "sales.orders");
        assertEquals(Map.of(gauge(PartitionMetrics.AHEAD, orders), 3.0, gauge(PartitionMetrics.BEHIND, orders), 11.0,
                gauge(PartitionMetrics.DEFAULT_ROWS, orders), 7.0), out);
    }
}
