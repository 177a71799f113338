package io.shopdb.operator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Meters whose label sets come and go (databases, replicas, the worst tables, resources): each publish
 * states the complete set of series for one scope (e.g. one cluster), new series are registered, vanished ones
 * are removed from the registry, so a dropped database or deleted resource stops being exported instead of
 * freezing at its last value.
 */
final class MeterSet {
    /** One series. Counters are exported with Prometheus' _total suffix added by the registry. */
    record Series(String name, Tags tags, boolean counter) {
        static Series gauge(String name, Tags tags) { return new Series(name, tags, false); }
        static Series counter(String name, Tags tags) { return new Series(name, tags, true); }
    }

    private static final class Value {
        volatile double value;
    }

    private final MeterRegistry registry;
    private final Map<Series, Value> values = new HashMap<>();
    private final Map<Series, Meter> meters = new HashMap<>();

    MeterSet(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Replaces every series matching {@code scope} by {@code next}. */
    synchronized void publish(Predicate<Series> scope, Map<Series, Double> next) {
        for (Iterator<Map.Entry<Series, Meter>> it = meters.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (scope.test(e.getKey()) && !next.containsKey(e.getKey())) {
                registry.remove(e.getValue());
                values.remove(e.getKey());
                it.remove();
            }
        }
        next.forEach(this::set);
    }

    /** Sets one series (registering it if new) without touching the others. */
    synchronized void set(Series series, double value) {
        Value holder = values.get(series);
        if (holder == null) {
            holder = new Value();
            values.put(series, holder);
            Meter meter = series.counter()
                    ? FunctionCounter.builder(series.name(), holder, v -> v.value).tags(series.tags()).register(registry)
                    : Gauge.builder(series.name(), holder, v -> v.value).tags(series.tags()).strongReference(true).register(registry);
            meters.put(series, meter);
        }
        holder.value = value;
    }

    synchronized void remove(Predicate<Series> scope) {
        publish(scope, Map.of());
    }

    synchronized Map<Series, Double> snapshot() {
        Map<Series, Double> out = new HashMap<>();
        values.forEach((k, v) -> out.put(k, v.value));
        return out;
    }
}
