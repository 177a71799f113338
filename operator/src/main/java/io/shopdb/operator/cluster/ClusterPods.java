package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The instance pods of one cluster as the pod informer holds them (no API call): by name, with their
 * readiness, template revision and role label. Agent Job pods, which carry the same labels, are left out.
 */
public final class ClusterPods {
    static final String REVISION_LABEL = "controller-revision-hash";
    private final Map<String, Pod> byName = new TreeMap<>();

    private ClusterPods() {}

    public static ClusterPods of(PostgresCluster c, Collection<Pod> pods) {
        ClusterPods view = new ClusterPods();
        String prefix = ClusterNames.statefulSet(c) + "-";
        for (Pod p : pods) {
            String name = p.getMetadata().getName();
            boolean instance = name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]+")
                    && p.getMetadata().getLabels() != null
                    && c.getMetadata().getName().equals(p.getMetadata().getLabels().get(ClusterNames.CLUSTER_LABEL))
                    && c.getMetadata().getNamespace().equals(p.getMetadata().getNamespace());
            if (instance) {
                view.byName.put(name, new io.fabric8.kubernetes.api.model.PodBuilder(p).build()); // a copy: never touch the informer's
            }
        }
        return view;
    }

    public Collection<Pod> all() { return byName.values(); }

    /** The images each instance runs (status.instanceImages), by instance name. */
    public java.util.List<io.shopdb.operator.api.v1alpha1.InstanceImage> images() {
        return byName.values().stream() // by name: byName is sorted
                .map(p -> new io.shopdb.operator.api.v1alpha1.InstanceImage(p.getMetadata().getName(), image(p, "postgres"),
                        image(p, "wal-archiver") != null ? image(p, "wal-archiver") : image(p, "wal-fetcher")))
                .toList();
    }

    private static String image(Pod p, String container) {
        return p.getSpec() == null ? null : p.getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .map(io.fabric8.kubernetes.api.model.Container::getImage).findFirst().orElse(null);
    }

    public Optional<Pod> get(String name) { return Optional.ofNullable(byName.get(name)); }

    public boolean ready(String name) {
        return name != null && get(name).map(ClusterPods::isReady).orElse(false);
    }

    public long readyCount() {
        return byName.values().stream().filter(ClusterPods::isReady).count();
    }

    /** When the pod's Ready condition last became False; null when it is ready or has no such time. */
    public Instant notReadySince(String name) {
        return get(name).flatMap(p -> p.getStatus() == null || p.getStatus().getConditions() == null ? Optional.<PodCondition>empty()
                        : p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst())
                .filter(c -> !"True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(c -> Instant.parse(c.getLastTransitionTime())).orElse(null);
    }

    public String revision(String name) {
        return get(name).map(p -> p.getMetadata().getLabels().get(REVISION_LABEL)).orElse(null);
    }

    /** The node the pod was scheduled to; null when not scheduled (or unknown). */
    public String nodeName(String name) {
        return get(name).map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName()).orElse(null);
    }

    public String uid(String name) {
        return get(name).map(p -> p.getMetadata().getUid()).orElse(null);
    }

    /** Ready, and not being deleted: a Terminating pod (its kubelet may not have confirmed yet) serves nothing new. */
    static boolean isReady(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
