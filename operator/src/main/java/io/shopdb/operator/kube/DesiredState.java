package io.shopdb.operator.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes desired objects only when they changed. The desired object's hash is stored in an annotation and
 * compared on the next reconcile; comparing hashes instead of fields keeps this stable on a real API server,
 * which adds defaulted fields to everything it stores. A steady-state reconcile therefore writes nothing.
 */
public final class DesiredState {
    public static final String HASH_ANNOTATION = "shopdb.io/desired-hash";
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public enum Result { NOOP, CREATED, UPDATED }

    private DesiredState() {}

    /** Creates or replaces {@code desired}, owned by {@code owner}; {@code keep} copies fields that must survive. */
    public static <T extends HasMetadata> Result apply(KubernetesClient client, HasMetadata owner, T desired,
                                                       BiConsumer<T, T> keep) {
        String hash = stamp(owner, desired);
        return write(client, desired, client.resource(desired).get(), keep, hash);
    }

    /**
     * As {@link #apply(KubernetesClient, HasMetadata, HasMetadata)}, comparing against {@code cached} (the object
     * as an informer holds it, or null) instead of reading it: a steady state then makes no API call at all.
     * A cache a moment behind is harmless: a create that finds the object falls back to a read and an update.
     */
    public static <T extends HasMetadata> Result applyCached(KubernetesClient client, HasMetadata owner, T desired, T cached) {
        String hash = stamp(owner, desired);
        try {
            return write(client, desired, cached, null, hash);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return write(client, desired, client.resource(desired).get(), null, hash); // the cache was behind
        }
    }

    /** As {@link #apply(KubernetesClient, HasMetadata, HasMetadata, BiConsumer)}, against {@code existing} the caller read already. */
    public static <T extends HasMetadata> Result applyAgainst(KubernetesClient client, HasMetadata owner, T desired, T existing,
                                                              BiConsumer<T, T> keep) {
        return write(client, desired, existing, keep, stamp(owner, desired));
    }

    /** Owner reference and hash annotation on {@code desired}; returns the hash. */
    private static String stamp(HasMetadata owner, HasMetadata desired) {
        desired.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
        String hash = hashOf(desired);
        if (desired.getMetadata().getAnnotations() == null) {
            desired.getMetadata().setAnnotations(new HashMap<>());
        }
        desired.getMetadata().getAnnotations().put(HASH_ANNOTATION, hash);
        return hash;
    }

    private static <T extends HasMetadata> Result write(KubernetesClient client, T desired, T existing, BiConsumer<T, T> keep, String hash) {
        if (existing == null) {
            client.resource(desired).create();
            return Result.CREATED;
        }
        var annotations = existing.getMetadata().getAnnotations();
        if (annotations != null && hash.equals(annotations.get(HASH_ANNOTATION))) {
            return Result.NOOP;
        }
        if (keep != null) {
            keep.accept(existing, desired);
        }
        desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        client.resource(desired).update();
        return Result.UPDATED;
    }

    public static <T extends HasMetadata> Result apply(KubernetesClient client, HasMetadata owner, T desired) {
        return apply(client, owner, desired, null);
    }

    /** Deletes the object if it exists; returns whether it did. */
    public static boolean absent(KubernetesClient client, HasMetadata object) {
        if (client.resource(object).get() == null) {
            return false;
        }
        client.resource(object).delete();
        return true;
    }

    public static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** The short canonical hash of any object (e.g. a pod template), as the desired-hash annotation holds one. */
    public static String hashOf(Object value) {
        try {
            byte[] json = CANONICAL.writeValueAsBytes(value);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
