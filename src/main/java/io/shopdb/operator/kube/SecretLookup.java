package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

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
     * The informer's cache first. A miss is read from the API server once more: a Secret created a moment ago
     * (by this reconcile, or just before) may not have reached the cache yet, and a missing one is rare and
     * not a steady state.
     */
    static SecretLookup cached(InformerEventSource<Secret, ?> source, KubernetesClient client) {
        return (namespace, name) -> source.get(new ResourceID(name, namespace))
                .orElseGet(() -> client.secrets().inNamespace(namespace).withName(name).get());
    }
}
