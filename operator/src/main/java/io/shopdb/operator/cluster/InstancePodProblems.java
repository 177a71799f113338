package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Why instance pods cannot start, read from their container statuses as the kubelet reports them, so the
 * PostgresCluster says "postgres exits: FATAL ..." instead of waiting for its primary forever. Pure. The reasons
 * that count as stuck are kube/PodProblems' (agent Job pods); this adds restarts and the log's FATAL line.
 */
public final class InstancePodProblems {
    /** Enough of a termination message to show the FATAL line without flooding the condition. */
    static final int MESSAGE_CHARS = 400;

    private InstancePodProblems() {}

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
        if (waiting != null && io.shopdb.operator.kube.PodProblems.STUCK.contains(waiting.getReason())) {
            String text = "container " + cs.getName() + " " + waiting.getReason();
            if (restarts > 0) {
                text += " (restarted " + restarts + " times)";
            }
            if (lastExit != null) {
                return text + ", last run " + lastExit;
            }
            return waiting.getMessage() == null ? text : text + ": " + excerpt(waiting.getMessage());
        }
        // a container that runs again after a failure is starting, not failing (its next failure is CrashLoopBackOff)
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
