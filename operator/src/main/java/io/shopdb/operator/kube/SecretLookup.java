package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Where a reconcile reads Secrets from. Controllers pass their Secret event source's cache, so a steady
 * state costs the API server nothing; {@link #api} is the direct read for code that has no informer.
 */
@FunctionalInterface
public interface SecretLookup {

    /** The Secret, or null. */
    Secret get(String namespace, String name);

    /** A key of a Secret as characters (data, else stringData); null when the Secret or the key is missing. */
    default char[] read(String namespace, String name, String key) {
        return value(get(namespace, name), key);
    }

    static char[] value(Secret s, String key) {
        if (s == null) {
            return null;
        }
        if (s.getData() != null && s.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8).toCharArray();
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return s.getStringData().get(key).toCharArray();
        }
        return null;
    }

    static SecretLookup api(KubernetesClient client) {
        return (namespace, name) -> client.secrets().inNamespace(namespace).withName(name).get();
    }

    /**
     * The informers' caches first (the operator's own Secrets and the referenced ones, see {@link CachedObjects}).
     * A miss is read from the API server once more: a Secret created a moment ago (by this reconcile, or just
     * before) may not have reached the cache yet, a missing one is rare and not a steady state, and a user's
     * Secret read for the first time is labelled so that the cache holds it from then on.
     */
    static SecretLookup cached(List<InformerEventSource<Secret, ?>> sources, KubernetesClient client) {
        return (namespace, name) -> CachedObjects.get(sources, client, Secret.class, namespace, name);
    }
}
