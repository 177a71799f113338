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
        return problems(null, spec);
    }

    /** {@code name}: the cluster's metadata.name, which spec.primary must extend (CEL on spec cannot see it). */
    public static List<String> problems(String name, PostgresClusterSpec spec) {
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
        if (name != null && spec.getStandby() != null && spec.getStandby().getSource() != null
                && name.equals(spec.getStandby().getSource().getName())) {
            problems.add("spec.standby.source: a cluster cannot be a standby of itself; name the cluster it copies");
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
        if (spec.getPrimary() != null && name != null && instances != null) {
            String prefix = name + "-";
            String ordinal = spec.getPrimary().startsWith(prefix) ? spec.getPrimary().substring(prefix.length()) : "";
            if (!ordinal.matches("[0-9]") || Integer.parseInt(ordinal) >= instances) {
                problems.add("spec.primary: must name an instance of this cluster, " + prefix + "0 .. " + prefix + (instances - 1)
                        + ", got " + spec.getPrimary());
            }
        }
        if (spec.getSynchronous() != null && instances != null) {
            Integer n = spec.getSynchronous().getNumber();
            if (n == null || n < 1 || n >= instances) {
                problems.add("spec.synchronous.number: must be between 1 and spec.instances - 1 (" + (instances - 1) + "), got " + n);
            }
        }
        if (spec.getFailoverDelay() != null && (spec.getFailoverDelay() < 0 || spec.getFailoverDelay() > 3600)) {
            problems.add("spec.failoverDelay: must be between 0 and 3600 seconds, got " + spec.getFailoverDelay());
        }
        return problems;
    }
}
