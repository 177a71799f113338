package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks the CRD schema also makes, repeated here because not every API server enforces CEL (and the
 * sandbox's does not): an invalid spec must end Stalled with a message naming the field, never half-applied.
 */
public final class ClusterValidation {
    private ClusterValidation() {}

    public static List<String> problems(PostgresClusterSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            problems.add("spec: is required");
            return problems;
        }
        if (spec.isExternal()) {
            if (spec.getExternal().getHost() == null || spec.getExternal().getHost().isBlank()) {
                problems.add("spec.external.host: is required");
            }
            if (spec.getExternal().getAdminSecretRef() == null || spec.getExternal().getAdminSecretRef().getName() == null) {
                problems.add("spec.external.adminSecretRef.name: is required");
            }
            return problems;
        }
        Integer instances = spec.getInstances();
        if (instances == null || instances < 1 || instances > 9) {
            problems.add("spec.instances: must be between 1 and 9, got " + instances);
        }
        if (spec.getStorage() != null && spec.getStorage().getSize() != null
                && !spec.getStorage().getSize().matches("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")) {
            problems.add("spec.storage.size: must be a quantity such as 10Gi");
        }
        problems.addAll(PostgresParameters.problems(spec.getParameters()));
        return problems;
    }
}
