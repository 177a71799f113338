package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Who owns a database or role name when several resources claim it: the oldest resource (creation time,
 * then name). The others are Stalled/Conflict and run no SQL, so two teams cannot fight over one role.
 */
public final class Claims {
    private Claims() {}

    public static <T extends HasMetadata> Optional<T> owner(List<T> claimants) {
        return claimants.stream()
                .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
                .min(Comparator.comparing((T r) -> String.valueOf(r.getMetadata().getCreationTimestamp()))
                        .thenComparing(r -> r.getMetadata().getName()));
    }
}
