package io.shopdb.operator.jobs;

import io.shopdb.operator.jobs.JobView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.kube.PodProblems;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a Job stands, from the Job and its pods, the way the Job controller and the kubelet write them. */
class JobViewTest {

    static Job job(String condition, String reason, String completionTime, String transitionTime) {
        var b = new JobBuilder().withNewMetadata().withName("nightly-backup-1").withUid("job-uid").endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(21900L).endSpec();
        if (condition == null) {
            return b.withNewStatus().withStartTime("2026-01-01T00:00:00Z").withActive(1).endStatus().build();
        }
        return b.withNewStatus().withStartTime("2026-01-01T00:00:00Z").withCompletionTime(completionTime)
                .addNewCondition().withType(condition).withStatus("True").withReason(reason).withLastTransitionTime(transitionTime).endCondition()
                .endStatus().build();
    }

    static Pod terminated(int exit, String message) {
        return new PodBuilder().withNewMetadata().withName("p").withCreationTimestamp("2026-01-01T00:00:01Z").endMetadata()
                .withNewStatus().withPhase(exit == 0 ? "Succeeded" : "Failed").addNewContainerStatus().withName("agent")
                .withNewState().withNewTerminated().withExitCode(exit).withMessage(message).endTerminated().endState()
                .endContainerStatus().endStatus().build();
    }

    static Pod waiting(String reason, String message) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("agent")
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                .endContainerStatus().endStatus().build();
    }

    @Test
    void aRunningJobWhosePodCannotStartSaysWhy() {
        JobView v = JobView.of(job(null, null, null, null), List.of(waiting("CreateContainerConfigError",
                "couldn't find key AWS_ACCESS_KEY_ID in Secret prod/s3-creds")));
        assertEquals(JobView.State.RUNNING, v.state());
        assertEquals(new PodProblems.Problem("CreateContainerConfigError",
                "container agent: couldn't find key AWS_ACCESS_KEY_ID in Secret prod/s3-creds"), v.podProblem());
        assertNull(JobView.of(job(null, null, null, null), List.of(waiting("ContainerCreating", null))).podProblem(),
                "creating a container is progress, not a problem");
    }

    @Test
    void theFinishTimeIsTheJobsCompletionTimeElseItsFailedConditionsTransition() {
        JobView ok = JobView.of(job("Complete", "Completed", "2026-01-01T00:10:00Z", "2026-01-01T00:10:01Z"),
                List.of(terminated(0, AgentSummary.deleted("b1").toJson())));
        assertEquals(JobView.State.SUCCEEDED, ok.state());
        assertEquals("2026-01-01T00:10:00Z", ok.finishedAt());
        JobView failed = JobView.of(job("Failed", "BackoffLimitExceeded", null, "2026-01-01T00:20:00Z"),
                List.of(terminated(3, AgentSummary.failure("CHECKSUM_MISMATCH", "backup b1 is corrupted").toJson())));
        assertEquals("2026-01-01T00:20:00Z", failed.finishedAt());
        assertEquals("ChecksumMismatch", failed.failure().reason());
        assertFalse(failed.failure().retryable());
        assertTrue(failed.failure().message().contains("backup b1 is corrupted"));
    }

    @Test
    void aJobEndedAtItsDeadlineIsNotRetriedAndSaysWhatToRaise() {
        JobView v = JobView.of(job("Failed", "DeadlineExceeded", null, "2026-01-01T06:05:00Z"),
                List.of(waiting("ImagePullBackOff", "Back-off pulling image \"registry/shopdb:9.9\"")));
        var f = v.failure();
        assertEquals("DeadlineExceeded", f.reason());
        assertFalse(f.retryable());
        assertTrue(f.message().contains("21900 s") && f.message().contains("timeoutMinutes") && f.message().contains("ImagePullBackOff"), f.message());
        // the agent's own timeout came first: its reason wins
        JobView agent = JobView.of(job("Failed", "DeadlineExceeded", null, "2026-01-01T06:05:00Z"),
                List.of(terminated(7, AgentSummary.failure("TOOL_FAILED", "pg_dump timed out after 360 min").toJson())));
        assertEquals("ToolFailed", agent.failure().reason());
    }

    @Test
    void aPodKilledWithoutAResultIsRetried() {
        JobView v = JobView.of(job("Failed", "BackoffLimitExceeded", null, "2026-01-01T00:20:00Z"), List.of(terminated(137, null)));
        assertEquals("AgentFailed", v.failure().reason());
        assertTrue(v.failure().retryable());
        assertTrue(v.failure().message().contains("signal 9"), v.failure().message());
    }
}
