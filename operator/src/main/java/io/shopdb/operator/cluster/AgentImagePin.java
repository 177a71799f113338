package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.DesiredState;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which agent image a cluster's instances run (the wal-archiver sidecar, the restore and recover init containers).
 * The operator's own image changes with every operator upgrade; putting it into the pod template at once would roll
 * every cluster. So the image is pinned (status.agentImage) and moves to the operator's only when the pod template
 * changes for another reason anyway (a restart parameter, a new instance image, a sidecar switched on): that roll
 * carries it. Pure.
 */
final class AgentImagePin {
    /** On the StatefulSet: the hash of the pod template it was built with, to tell whether a new one would roll. */
    static final String TEMPLATE_HASH = "shopdb.io/pod-template-hash";
    private static final Set<String> AGENT_CONTAINERS = Set.of("wal-archiver", "restore", "recover");

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

    /** Stamps the pod template's hash on a desired StatefulSet (its metadata: changing it rolls nothing). */
    static StatefulSet stamp(StatefulSet desired) {
        if (desired.getMetadata().getAnnotations() == null) {
            desired.getMetadata().setAnnotations(new java.util.HashMap<>());
        }
        desired.getMetadata().getAnnotations().put(TEMPLATE_HASH, DesiredState.hashOf(desired.getSpec().getTemplate()));
        return desired;
    }

    /** The template hash a StatefulSet was built with; null for one built before hashes were stamped. */
    static String stamped(StatefulSet existing) {
        return existing == null || existing.getMetadata().getAnnotations() == null ? null
                : existing.getMetadata().getAnnotations().get(TEMPLATE_HASH);
    }

    /**
     * The image to build with. {@code pinned}: what the instances run (null: nothing yet, take the operator's).
     * {@code rollsAnyway}: the template built with {@code pinned} differs from the one the StatefulSet has.
     */
    static String choose(String pinned, String operatorImage, boolean rollsAnyway) {
        if (pinned == null || pinned.equals(operatorImage) || rollsAnyway) {
            return operatorImage;
        }
        return pinned;
    }

    /**
     * The agent image to build {@code c}'s StatefulSet with: the pinned one (status.agentImage, else what
     * {@code existing} runs) while the template built with it is the one {@code existing} has, else the operator's.
     */
    static String forInstances(PostgresCluster c, InstanceSetBuilder.Restore restore, StatefulSet existing, String operatorImage) {
        String pinned = c.getStatus() != null && c.getStatus().getAgentImage() != null ? c.getStatus().getAgentImage() : running(existing);
        if (pinned == null || pinned.equals(operatorImage) || existing == null) {
            return operatorImage;
        }
        String before = stamped(existing);
        StatefulSet withPinned = stamp(InstanceSetBuilder.build(c, restore == null ? null : restore.withAgentImage(pinned), pinned));
        // a StatefulSet stamped by no earlier apply (an operator from before pinning): its pods stay as they are
        boolean rollsAnyway = before != null && !before.equals(stamped(withPinned));
        return choose(pinned, operatorImage, rollsAnyway);
    }

    private static List<Container> list(List<Container> containers) {
        return containers == null ? List.of() : containers;
    }
}
