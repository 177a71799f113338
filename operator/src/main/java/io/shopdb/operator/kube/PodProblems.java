package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a pod is not starting, read from its status as the kubelet and scheduler write it (pure). A pod stuck on a
 * missing Secret key, an image it cannot pull, or a crash loop otherwise looks like "running" for ever; the owning
 * resource reports this reason and message instead, within one check.
 */
public final class PodProblems {
    /**
     * Waiting reasons of the kubelet that mean "this will not start by itself" and need a person (or at least
     * explain the wait); ContainerCreating and PodInitializing do not. Shared by agent Jobs and instance pods.
     */
    public static final Set<String> STUCK = Set.of("CreateContainerConfigError", "CreateContainerError", "ImagePullBackOff", "ErrImagePull",
            "InvalidImageName", "ErrImageNeverPull", "CrashLoopBackOff", "RunContainerError");

    private PodProblems() {}

    /** A kubelet or scheduler reason (e.g. CreateContainerConfigError) and its message, naming the container. */
    public record Problem(String reason, String message) {}

    public static Optional<Problem> of(Pod pod) {
        var status = pod.getStatus();
        if (status == null || "Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            return Optional.empty();
        }
        List<ContainerStatus> containers = new ArrayList<>();
        if (status.getInitContainerStatuses() != null) {
            containers.addAll(status.getInitContainerStatuses());
        }
        if (status.getContainerStatuses() != null) {
            containers.addAll(status.getContainerStatuses());
        }
        for (ContainerStatus c : containers) {
            var waiting = c.getState() == null ? null : c.getState().getWaiting();
            if (waiting != null && STUCK.contains(waiting.getReason())) {
                return Optional.of(new Problem(waiting.getReason(), "container " + c.getName() + ": "
                        + (waiting.getMessage() == null ? waiting.getReason() : waiting.getMessage())));
            }
        }
        if (status.getConditions() != null) {
            for (var c : status.getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                    return Optional.of(new Problem("Unschedulable", c.getMessage() == null ? "no node fits the pod" : c.getMessage()));
                }
            }
        }
        return Optional.empty();
    }
}
