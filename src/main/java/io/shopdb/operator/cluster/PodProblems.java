package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Why instance pods cannot start, read from their container statuses as the kubelet reports them, so the
 * PostgresCluster says "postgres exits: FATAL ..." instead of waiting for its primary forever. Pure.
 */
public final class PodProblems {
    /** Waiting reasons of the kubelet that mean "this will not start by itself". */
    static final Set<String> BLOCKING = Set.of("CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
            "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "RunContainerError", "ErrImageNeverPull");
    /** Enough of a termination message to show the FATAL line without flooding the condition. */
    static final int MESSAGE_CHARS = 400;

    private PodProblems() {}

    /** One line per failing pod that is not ready, empty when none is failing. */
    public static List<String> describe(Collection<Pod> pods) {
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods) {
            if (ClusterPods.isReady(pod) || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                continue;
            }
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                String problem = problem(cs);
                if (problem != null) {
                    problems.add("pod " + pod.getMetadata().getName() + ": " + problem);
                }
            }
        }
        return problems;
    }

    static String problem(ContainerStatus cs) {
        var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
        int restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
        String lastExit = last == null || last.getExitCode() == null || last.getExitCode() == 0 ? null
                : "exited with code " + last.getExitCode() + (last.getMessage() == null ? "" : ": " + excerpt(last.getMessage()));
        if (waiting != null && BLOCKING.contains(waiting.getReason())) {
            String text = "container " + cs.getName() + " " + waiting.getReason();
            if (restarts > 0) {
                text += " (restarted " + restarts + " times)";
            }
            if (lastExit != null) {
                return text + ", last run " + lastExit;
            }
            return waiting.getMessage() == null ? text : text + ": " + excerpt(waiting.getMessage());
        }
        if (lastExit != null && restarts > 0) {
            return "container " + cs.getName() + " restarted " + restarts + " times, last run " + lastExit;
        }
        return null;
    }

    /** The lines that say why (FATAL/PANIC/ERROR) when there are any, else the message's end. */
    static String excerpt(String message) {
        List<String> telling = message.lines().filter(l -> l.contains("FATAL") || l.contains("PANIC") || l.contains("ERROR")).toList();
        String text = telling.isEmpty() ? message.strip() : String.join(" | ", telling).strip();
        text = text.replaceAll("\\s+", " ");
        return text.length() <= MESSAGE_CHARS ? text : "..." + text.substring(text.length() - MESSAGE_CHARS);
    }
}
