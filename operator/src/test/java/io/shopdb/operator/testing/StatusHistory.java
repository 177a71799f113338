package io.shopdb.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.CustomResource;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import io.shopdb.operator.status.Conditions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every status a watch delivered for the resources of one kind, per name, in order: what a test reads to show
 * that a status never went backwards (an older observedGeneration written over a newer one, as a stale cached
 * read patched without a conflict check would). Watch with a client the fault layer spares, or events are lost.
 */
public final class StatusHistory<S extends ShopdbStatus, T extends CustomResource<?, S>> implements AutoCloseable {
    /** One delivered state. */
    public record Seen(long resourceVersion, Long generation, Long observedGeneration, boolean ready, boolean stalled, String reason) {
    }

    private final Map<String, List<Seen>> byName = new ConcurrentHashMap<>();
    private final Watch watch;

    public StatusHistory(KubernetesClient client, Class<T> type, String namespace) {
        watch = client.resources(type).inNamespace(namespace).watch(new Watcher<T>() {
            @Override
            public void eventReceived(Action action, T r) {
                if (action == Action.DELETED || action == Action.ERROR) {
                    return;
                }
                S s = r.getStatus();
                var stalled = s == null ? null : Conditions.find(s, Conditions.STALLED);
                var ready = s == null ? null : Conditions.find(s, Conditions.READY);
                List<Seen> list = byName.computeIfAbsent(r.getMetadata().getName(), k -> new ArrayList<>());
                synchronized (list) {
                    list.add(new Seen(Long.parseLong(r.getMetadata().getResourceVersion()), r.getMetadata().getGeneration(),
                            s == null ? null : s.getObservedGeneration(), s != null && Conditions.isReady(s),
                            stalled != null && "True".equals(stalled.getStatus()), ready == null ? null : ready.getReason()));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    /** The states of {@code name} in resourceVersion order (a re-watch may deliver one twice). */
    public List<Seen> of(String name) {
        List<Seen> list = byName.getOrDefault(name, List.of());
        synchronized (list) {
            List<Seen> out = new ArrayList<>(list);
            out.sort(java.util.Comparator.comparingLong(Seen::resourceVersion));
            return out;
        }
    }

    /** The first place where observedGeneration went down for {@code name}, or null. */
    public String regression(String name) {
        Long highest = null;
        for (Seen s : of(name)) {
            if (s.observedGeneration() == null && highest != null) {
                return name + ": observedGeneration " + highest + " then none at resourceVersion " + s.resourceVersion();
            }
            if (s.observedGeneration() != null) {
                if (highest != null && s.observedGeneration() < highest) {
                    return name + ": observedGeneration " + highest + " then " + s.observedGeneration() + " at resourceVersion " + s.resourceVersion();
                }
                highest = highest == null ? s.observedGeneration() : Math.max(highest, s.observedGeneration());
            }
        }
        return null;
    }

    @Override
    public void close() {
        watch.close();
    }
}
