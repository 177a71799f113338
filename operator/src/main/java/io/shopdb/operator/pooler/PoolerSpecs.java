package io.shopdb.operator.pooler;

import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.SpecValidator.Violation;

import java.util.ArrayList;
import java.util.List;

/** The pooler's validator: what the CRD schema says (for API servers that skip it) and PgBouncer's parameter rules. */
final class PoolerSpecs {
    private PoolerSpecs() {}

    static final SpecValidator<PostgresPooler> VALIDATOR = p -> {
        List<Violation> out = new ArrayList<>();
        var spec = p.getSpec();
        if (spec == null || spec.getClusterRef() == null || spec.getClusterRef().getName() == null) {
            out.add(new Violation("spec.clusterRef.name", "is required"));
            return out;
        }
        if (spec.getInstances() != null && (spec.getInstances() < 1 || spec.getInstances() > 20)) {
            out.add(new Violation("spec.instances", "must be 1..20"));
        }
        if (spec.getDefaultPoolSize() != null && spec.getMaxClientConnections() != null && spec.getDefaultPoolSize() > spec.getMaxClientConnections()) {
            out.add(new Violation("spec.defaultPoolSize", "is larger than spec.maxClientConnections: the pool could never fill"));
        }
        out.addAll(PgBouncerParameters.validate(spec.getParameters()));
        return out;
    };
}
