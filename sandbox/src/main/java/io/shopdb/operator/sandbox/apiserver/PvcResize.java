package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopdb.operator.sandbox.admission.Quantity;

import java.util.function.Function;

/**
 * kube-apiserver's PersistentVolumeClaimResize admission: a claim may ask for more storage only when it names a
 * StorageClass that allows volume expansion; otherwise the update is Forbidden with the same message.
 */
final class PvcResize {
    private PvcResize() {}

    /** @param objects an object path to the stored object, or null */
    static void check(ApiPath path, JsonNode current, JsonNode next, Function<String, JsonNode> objects) {
        if (!"persistentvolumeclaims".equals(path.plural()) || !path.group().isEmpty() || path.isStatus()) {
            return;
        }
        String before = current.at("/spec/resources/requests/storage").asText("");
        String after = next.at("/spec/resources/requests/storage").asText("");
        if (before.isEmpty() || after.isEmpty() || !Quantity.isQuantity(before) || !Quantity.isQuantity(after)
                || Quantity.parse(after).compareTo(Quantity.parse(before)) <= 0) {
            return;
        }
        String storageClass = current.at("/spec/storageClassName").asText("");
        JsonNode sc = storageClass.isEmpty() ? null : objects.apply("/apis/storage.k8s.io/v1/storageclasses/" + storageClass);
        if (sc == null || !sc.path("allowVolumeExpansion").asBoolean(false)) {
            throw new ApiException(403, "Forbidden", "persistentvolumeclaims \"" + path.name() + "\" is forbidden: only dynamically"
                    + " provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
        }
    }
}
