package io.shopdb.operator.jobs;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.kube.PodProblems;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * How an agent Job stands, read from the Job and its pods (pure): its Complete/Failed condition; the exit code and
 * termination message (the agent's {@link AgentSummary}) of its last terminated pod; why a pod cannot start; and
 * when it finished, always taken from the Job (completionTime, else the Failed condition's transition time).
 */
public record JobView(State state, Integer exitCode, String message, String finishedAt, String jobFailureReason,
                      Long deadlineSeconds, PodProblems.Problem podProblem) {

    public enum State { RUNNING, SUCCEEDED, FAILED }

    public static JobView of(Job job, List<Pod> pods) {
        var status = job.getStatus();
        State state = State.RUNNING;
        JobCondition failed = null;
        if (status != null && status.getConditions() != null) {
            for (var c : status.getConditions()) {
                if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                    state = State.SUCCEEDED;
                } else if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                    state = State.FAILED;
                    failed = c;
                }
            }
        }
        Pod last = pods.stream().filter(p -> terminated(p) != null)
                .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()))
                .orElse(null);
        PodProblems.Problem problem = pods.stream().map(PodProblems::of).flatMap(java.util.Optional::stream).findFirst().orElse(null);
        String finishedAt = null;
        if (state != State.RUNNING) {
            finishedAt = status.getCompletionTime() != null ? status.getCompletionTime()
                    : failed != null && failed.getLastTransitionTime() != null ? failed.getLastTransitionTime() : Instant.now().toString();
        }
        return new JobView(state, last == null ? null : terminated(last).getExitCode(), last == null ? null : terminated(last).getMessage(),
                finishedAt, failed == null ? null : failed.getReason(), job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds(),
                problem);
    }

    /**
     * Why a failed Job failed: the agent's exit code and reported error; else, when the Job controller ended it at its
     * deadline, DeadlineExceeded (not retried: the next attempt would hit the same deadline; raise timeoutMinutes);
     * else the pod died without a result (OOM kill, eviction, node lost: retried).
     */
    public AgentResults.Failure failure() {
        AgentSummary summary = AgentSummary.parse(message);
        if ("DeadlineExceeded".equals(jobFailureReason) && summary.error() == null) {
            return new AgentResults.Failure("DeadlineExceeded", "the Job ran longer than its activeDeadlineSeconds (" + deadlineSeconds
                    + " s); raise timeoutMinutes" + (podProblem == null ? "" : ". Its pod never started: " + podProblem.reason()
                    + ": " + podProblem.message()), false);
        }
        return AgentResults.failure(exitCode, summary);
    }

    private static ContainerStateTerminated terminated(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty()) {
            return null;
        }
        var state = p.getStatus().getContainerStatuses().get(0).getState();
        return state == null ? null : state.getTerminated();
    }
}
