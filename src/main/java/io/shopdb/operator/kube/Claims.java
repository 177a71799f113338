package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who owns a database or role name when several resources claim it: the oldest resource (creation time,
 * then name). The others are Stalled/Conflict and run no SQL, so two teams cannot fight over one role.
 */
public final class Claims {
    private Claims() {}

    /**
     * The resource of this type, in the same namespace, that owns what {@code resource} claims: same cluster,
     * same claimed name. {@code resource} itself when it is the oldest (or alone).
     */
    public static <T extends HasMetadata> T ownerOf(KubernetesClient client, Class<T> type, T resource,
                                                    Function<T, String> cluster, Function<T, String> claimedName) {
        List<T> claimants = client.resources(type).inNamespace(resource.getMetadata().getNamespace()).list().getItems().stream()
                .filter(o -> Objects.equals(cluster.apply(o), cluster.apply(resource))
                        && Objects.equals(claimedName.apply(o), claimedName.apply(resource)))
                .toList();
        return owner(claimants).orElse(resource);
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
}
