package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MeterSetTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MeterSet meters = new MeterSet(registry);

    static Tags tags(String cluster, String table) {
        return Tags.of("cluster", cluster, "table", table);
    }

    @Test
    void aPublishReplacesTheSeriesOfItsScopeOnlyAndRemovesVanishedOnes() {
        MeterSet.Series a = MeterSet.Series.gauge("dead", tags("one", "orders"));
        MeterSet.Series b = MeterSet.Series.gauge("dead", tags("one", "carts"));
        MeterSet.Series other = MeterSet.Series.gauge("dead", tags("two", "orders"));
        meters.publish(s -> true, Map.of(a, 5.0, b, 7.0, other, 1.0));
        assertEquals(7.0, registry.get("dead").tags(tags("one", "carts")).gauge().value());

        meters.publish(s -> s.tags().stream().anyMatch(t -> t.getValue().equals("one")), Map.of(a, 9.0));
        assertEquals(9.0, registry.get("dead").tags(tags("one", "orders")).gauge().value());
        assertNull(registry.find("dead").tags(tags("one", "carts")).gauge(), "a table that left the top 5 is no longer exported");
        assertEquals(1.0, registry.get("dead").tags(tags("two", "orders")).gauge().value(), "another cluster is untouched");
    }

    @Test
    void countersFollowTheServerValue() {
        MeterSet.Series commits = MeterSet.Series.counter("commits", tags("one", "-"));
        meters.set(commits, 10);
        meters.set(commits, 12);
        assertEquals(12.0, registry.get("commits").functionCounter().count());
        meters.remove(s -> true);
        assertNull(registry.find("commits").functionCounter());
    }
}
