package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.PinnedImage;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which agent image a cluster's instances run (the wal-archiver sidecar, the restore and recover init containers):
 * pinned in status.agentImage, moved to the operator's own only with a roll that happens anyway (kube/PinnedImage), or
 * while the cluster's maintenance window is open (spec.maintenanceWindow).
 * Pure.
 */
final class AgentImagePin {
    private static final Set<String> AGENT_CONTAINERS = Set.of("wal-archiver", "wal-fetcher", "restore", "recover");

    private AgentImagePin() {}

    /** The agent image in a StatefulSet's pod template (a cluster made before the image was pinned), or null. */
    static String running(StatefulSet existing) {
        if (existing == null || existing.getSpec() == null || existing.getSpec().getTemplate() == null
                || existing.getSpec().getTemplate().getSpec() == null) {
            return null;
        }
        var pod = existing.getSpec().getTemplate().getSpec();
        return Stream.concat(list(pod.getInitContainers()).stream(), list(pod.getContainers()).stream())
                .filter(c -> AGENT_CONTAINERS.contains(c.getName())).map(Container::getImage).findFirst().orElse(null);
    }

    /** Stamps the pod template's hash on a desired StatefulSet. */
    static StatefulSet stamp(StatefulSet desired) {
        return PinnedImage.stamp(desired, desired.getSpec().getTemplate());
    }

    /**
     * {@code c}'s StatefulSet, built with the pinned agent image (status.agentImage, else what {@code existing} runs)
     * while the template built with it is the one {@code existing} has, else with the operator's.
     */
    static PinnedImage.Built<StatefulSet> forInstances(PostgresCluster c, InstanceSetBuilder.Restore restore, StatefulSet existing,
                                                       String operatorImage, java.time.Instant now) {
        String pinned = c.getStatus() != null && c.getStatus().getAgentImage() != null ? c.getStatus().getAgentImage() : running(existing);
        boolean windowOpen = MaintenanceWindow.isOpen(c.getSpec().getMaintenanceWindow(), now);
        return PinnedImage.build(pinned, existing, operatorImage, windowOpen,
                image -> stamp(InstanceSetBuilder.build(c, restore == null ? null : restore.withAgentImage(image), image)));
    }

    private static List<Container> list(List<Container> containers) {
        return containers == null ? List.of() : containers;
    }
}
