package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Secondary resources a primary references by name in its namespace (clusterRef, databaseRef, a ConfigMap of
 * scripts, a password Secret), as JOSDK event sources: the primary reads the secondary from the informer's
 * cache, and a change of the secondary wakes exactly the primaries that reference it, found through an index
 * of the primary cache (no list, no scan). One helper so every controller maps references the same way.
 */
public final class References {
    private References() {}

    /**
     * An informer of {@code type} whose events go to the primaries that name the changed object in
     * {@code names}; {@code onUpdate} (null: every update) drops updates that cannot matter to them.
     * Call from {@code prepareEventSources}, before the primary informer starts (the index is added there).
     */
    public static <S extends HasMetadata, P extends HasMetadata> InformerEventSource<S, P> source(
            EventSourceContext<P> context, Class<S> type, String name, Function<P, Collection<String>> names, OnUpdateFilter<S> onUpdate) {
        return source(context, type, name, names, onUpdate, null);
    }

    /**
     * As above, caching only the objects {@code labelSelector} selects (null: all of the namespaces): a user's
     * ConfigMaps and Secrets are cached only once labelled as referenced (see {@link CachedObjects}).
     */
    public static <S extends HasMetadata, P extends HasMetadata> InformerEventSource<S, P> source(
            EventSourceContext<P> context, Class<S> type, String name, Function<P, Collection<String>> names, OnUpdateFilter<S> onUpdate,
            String labelSelector) {
        String index = "references-" + name;
        context.getPrimaryCache().addIndexer(index, p -> keys(p, names));
        var config = InformerEventSourceConfiguration.from(type, context.getPrimaryResourceClass())
                .withName(name)
                .withSecondaryToPrimaryMapper(referencedBy(context, index))
                .withPrimaryToSecondaryMapper((P p) -> names(p, names).stream()
                        .map(n -> new ResourceID(n, p.getMetadata().getNamespace())).collect(Collectors.toSet()));
        if (onUpdate != null) {
            config.withOnUpdateFilter(onUpdate);
        }
        if (labelSelector != null) {
            config.withLabelSelector(labelSelector);
        }
        return new InformerEventSource<>(config.build(), context);
    }

    /** Secondary → the primaries whose {@code index} holds its namespace/name. */
    public static <S extends HasMetadata, P extends HasMetadata> SecondaryToPrimaryMapper<S> referencedBy(EventSourceContext<P> context, String index) {
        return s -> context.getPrimaryCache().byIndex(index, key(s.getMetadata().getNamespace(), s.getMetadata().getName())).stream()
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static <P extends HasMetadata> List<String> keys(P p, Function<P, Collection<String>> names) {
        return names(p, names).stream().map(n -> key(p.getMetadata().getNamespace(), n)).toList();
    }

    private static <P extends HasMetadata> Collection<String> names(P p, Function<P, Collection<String>> names) {
        try {
            Collection<String> out = names.apply(p);
            return out == null ? Set.of() : out.stream().filter(n -> n != null && !n.isEmpty()).collect(Collectors.toSet());
        } catch (RuntimeException e) {
            return Set.of(); // an incomplete spec references nothing; validation reports it
        }
    }
}
