package io.shopdb.operator.access;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.References;
import io.shopdb.operator.status.Conditions;

import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The PostgresCluster as its dependents (databases, roles) see it: read from an informer, and a wake-up for
 * every dependent of a cluster when the cluster appears, goes, turns Ready or stops being Ready (or Ready for another
 * reason: a standby promoted), its spec changes, or a major upgrade moves it (status.upgradedTo). Status churn that cannot matter to them (replica lag, pending restarts) wakes no one, so a
 * thousand roles are not reconciled because a replica moved a megabyte.
 */
public final class ClusterEvents {
    public static final String NAME = "clusters";

    private ClusterEvents() {}

    public static <P extends HasMetadata> InformerEventSource<PostgresCluster, P> source(EventSourceContext<P> context, Function<P, String> clusterRef) {
        return References.source(context, PostgresCluster.class, NAME, p -> Set.of(clusterRef.apply(p)), ClusterEvents::matters);
    }

    static boolean matters(PostgresCluster now, PostgresCluster before) {
        return Conditions.isReady(now.getStatus()) != Conditions.isReady(before.getStatus())
                || !Objects.equals(readyReason(now), readyReason(before)) // a standby promoted: Ready with reason Standby, then Ready
                || !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                || !Objects.equals(upgradedTo(now), upgradedTo(before)); // a major upgrade's cutover: act on the new cluster
    }

    private static String upgradedTo(PostgresCluster c) {
        return c.getStatus() == null ? null : c.getStatus().getUpgradedTo();
    }

    private static String readyReason(PostgresCluster c) {
        var ready = Conditions.find(c.getStatus(), Conditions.READY);
        return ready == null ? null : ready.getReason();
    }
}
