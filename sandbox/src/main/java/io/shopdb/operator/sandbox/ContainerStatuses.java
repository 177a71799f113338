package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The status a kubelet writes for a long-running pod, built from what the sandbox knows of its container:
 * phase, the Ready condition (its lastTransitionTime kept while it does not change), and the container
 * status with state (running / waiting with a reason / terminated), lastState.terminated, restartCount.
 * Pure, so the rules are readable in one place:
 * <ul>
 *   <li>a container that ended and waits for its restart is {@code waiting: CrashLoopBackOff} with the
 *       kubelet's message "back-off 10s restarting failed container=... pod=...";</li>
 *   <li>a pod whose container cannot be created is Pending with {@code waiting: <reason>} (e.g.
 *       CreateContainerConfigError for a missing Secret key);</li>
 *   <li>the last run that ended is {@code lastState.terminated} with exit code, reason Error/Completed and
 *       the termination message (with FallbackToLogsOnError: the log's tail after a failure).</li>
 * </ul>
 */
final class ContainerStatuses {
    private ContainerStatuses() {}

    /** What the sandbox knows of the pod's one container. {@code waitingReason}: it could not be created. */
    record Observed(boolean alive, boolean ready, int restarts, Instant startedAt, PodProcess.Termination last,
                    boolean backingOff, java.time.Duration backOff, String waitingReason, String waitingMessage) {}

    static PodStatus build(Pod pod, Observed o) {
        Container container = pod.getSpec().getContainers().get(0);
        ContainerState state;
        if (o.waitingReason() != null) {
            state = new ContainerStateBuilder().withNewWaiting().withReason(o.waitingReason()).withMessage(o.waitingMessage()).endWaiting().build();
        } else if (o.alive()) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(o.startedAt())).endRunning().build();
        } else if (o.backingOff()) {
            state = new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off " + o.backOff().toSeconds() + "s restarting failed container=" + container.getName()
                            + " pod=" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid() + ")")
                    .endWaiting().build();
        } else {
            state = new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
        }
        var status = new ContainerStatusBuilder()
                .withName(container.getName())
                .withImage(container.getImage())
                .withReady(o.ready())
                .withStarted(o.alive())
                .withRestartCount(o.restarts())
                .withState(state);
        if (o.last() != null) {
            status.withNewLastState().withNewTerminated()
                    .withExitCode(o.last().exitCode()).withReason(o.last().reason()).withMessage(o.last().message())
                    .withStartedAt(time(o.last().startedAt())).withFinishedAt(time(o.last().finishedAt()))
                    .endTerminated().endLastState();
        }
        boolean started = o.startedAt() != null;
        return new PodStatusBuilder()
                .withPhase(started ? "Running" : "Pending")
                .withPodIP(started ? "127.0.0.1" : null)
                .withConditions(ready(pod, o.ready()))
                .withContainerStatuses(status.build())
                .build();
    }

    /** The Ready condition, keeping lastTransitionTime while the status stays the same. */
    static PodCondition ready(Pod pod, boolean ready) {
        String value = ready ? "True" : "False";
        PodCondition previous = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        String since = previous != null && value.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                ? previous.getLastTransitionTime() : time(Instant.now());
        return new PodConditionBuilder().withType("Ready").withStatus(value).withLastTransitionTime(since).build();
    }

    private static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
