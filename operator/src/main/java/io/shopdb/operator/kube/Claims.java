package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who owns a database or role name when several resources claim it: the oldest resource (creation time,
 * then name). The others are Stalled/Conflict and run no SQL, so two teams cannot fight over one role.
 *
 * <p>Claimants are found through an index of the controller's own informer cache (namespace, cluster,
 * claimed name → resources): a constant-time lookup with no call to the API server, where listing every
 * resource of the namespace on each reconcile made the cost grow with the square of their number.
 */
public final class Claims {
    static final String INDEX = "claims";

    private Claims() {}

    /** Adds the claims index to the primary cache; call from {@code prepareEventSources}. */
    public static <T extends HasMetadata> void index(EventSourceContext<T> context, Function<T, String> cluster, Function<T, String> claimedName) {
        context.getPrimaryCache().addIndexer(INDEX, r -> {
            String key = key(r, cluster, claimedName);
            return key == null ? List.of() : List.of(key);
        });
    }

    /**
     * The resource in the cache that owns what {@code resource} claims (same namespace, cluster and claimed
     * name); {@code resource} itself when it is the oldest (or alone).
     */
    public static <T extends HasMetadata> T ownerOf(IndexedResourceCache<T> cache, T resource,
                                                    Function<T, String> cluster, Function<T, String> claimedName) {
        String key = key(resource, cluster, claimedName);
        if (key == null) {
            return resource;
        }
        return owner(cache.byIndex(INDEX, key)).orElse(resource);
    }

    public static boolean isOwner(HasMetadata owner, HasMetadata resource) {
        return owner.getMetadata().getName().equals(resource.getMetadata().getName());
    }

    public static <T extends HasMetadata> Optional<T> owner(List<T> claimants) {
        return claimants.stream()
                .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
                .min(Comparator.comparing((T r) -> String.valueOf(r.getMetadata().getCreationTimestamp()))
                        .thenComparing(r -> r.getMetadata().getName()));
    }

    private static <T extends HasMetadata> String key(T r, Function<T, String> cluster, Function<T, String> claimedName) {
        try {
            String c = cluster.apply(r);
            String n = claimedName.apply(r);
            return c == null || n == null ? null : r.getMetadata().getNamespace() + "/" + c + "/" + n;
        } catch (RuntimeException e) {
            return null; // no spec yet: claims nothing
        }
    }
}
