package io.shopdb.operator.role;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.status.Conditions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The poolers in front of a role's cluster, for the pooler keys of its connection Secret: Ready ones only, so
 * a Secret never points at a pooler that cannot serve (a Stalled spec, a missing image). A pooler that appears,
 * goes, changes its spec or turns Ready or not wakes the roles of its cluster (an index of the role cache by
 * cluster); other status changes wake no one. When several poolers serve one target, the first by name gives the keys.
 */
final class RolePoolers {
    static final String CLUSTER_INDEX = "roles-by-cluster";
    static final String RW_PREFIX = "pooler-";
    static final String RO_PREFIX = "pooler-ro-";

    private RolePoolers() {}

    static InformerEventSource<PostgresPooler, PostgresRole> source(EventSourceContext<PostgresRole> context, Function<PostgresRole, String> cluster) {
        context.getPrimaryCache().addIndexer(CLUSTER_INDEX, r -> {
            String c = cluster.apply(r);
            return c == null ? List.of() : List.of(References.key(r.getMetadata().getNamespace(), c));
        });
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(PostgresPooler.class, PostgresRole.class)
                .withName("poolers")
                .withSecondaryToPrimaryMapper((PostgresPooler p) -> p.getSpec() == null || p.getSpec().getClusterRef() == null ? java.util.Set.of()
                        : context.getPrimaryCache().byIndex(CLUSTER_INDEX, References.key(p.getMetadata().getNamespace(), p.getSpec().getClusterRef().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                        || Conditions.isReady(now.getStatus()) != Conditions.isReady(before.getStatus()))
                .build(), context);
    }

    /** The pooler keys for {@code role}: one rw and one ro pooler at most, each listing the role or every role. */
    static List<ConnectionSecrets.Pooler> of(PostgresRole role, InformerEventSource<PostgresPooler, PostgresRole> poolers) {
        String ns = role.getMetadata().getNamespace();
        String cluster = role.getSpec().getClusterRef().getName();
        List<PostgresPooler> serving = poolers.list(ns, p -> p.getSpec() != null && p.getSpec().getClusterRef() != null
                        && cluster.equals(p.getSpec().getClusterRef().getName()) && p.getMetadata().getDeletionTimestamp() == null
                        && Conditions.isReady(p.getStatus())
                        && (p.getSpec().getConnectionSecretRoles() == null || p.getSpec().getConnectionSecretRoles().isEmpty()
                        || p.getSpec().getConnectionSecretRoles().contains(role.getMetadata().getName())))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        List<ConnectionSecrets.Pooler> out = new ArrayList<>();
        for (PostgresPoolerSpec.Target target : PostgresPoolerSpec.Target.values()) {
            serving.stream().filter(p -> p.getSpec().getTarget() == target).findFirst().ifPresent(p -> out.add(new ConnectionSecrets.Pooler(
                    target == PostgresPoolerSpec.Target.rw ? RW_PREFIX : RO_PREFIX,
                    p.getMetadata().getName() + "." + ns + ".svc", 5432, p.getSpec().getPoolMode() == PostgresPoolerSpec.PoolMode.transaction)));
        }
        return out;
    }
}
