package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The sandbox kubelet's pod status, held to what a real kubelet writes (field by field, message texts). */
class ContainerStatusesTest {
    static final Pod POD = new PodBuilder().withNewMetadata().withName("db-0").withNamespace("prod").withUid("u1").endMetadata()
            .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15").endContainer().endSpec().build();

    @Test
    void aContainerWaitingForItsRestartIsCrashLoopBackOffWithTheKubeletsMessageAndLastState() {
        Instant started = Instant.parse("2026-12-01T10:00:00Z");
        var last = new PodProcess.Termination(1, "Error", "FATAL: bad", started, started.plusSeconds(1));
        var status = ContainerStatuses.build(POD, new ContainerStatuses.Observed(false, false, 2, started, last, true,
                Duration.ofSeconds(20), null, null));
        var cs = status.getContainerStatuses().get(0);
        assertEquals("CrashLoopBackOff", cs.getState().getWaiting().getReason());
        assertEquals("back-off 20s restarting failed container=postgres pod=db-0_prod(u1)", cs.getState().getWaiting().getMessage());
        assertEquals(2, cs.getRestartCount());
        assertEquals(1, cs.getLastState().getTerminated().getExitCode());
        assertEquals("FATAL: bad", cs.getLastState().getTerminated().getMessage());
        assertEquals("Running", status.getPhase(), "a pod whose container ran once stays Running while it crash-loops");
        assertEquals("False", status.getConditions().get(0).getStatus());
    }

    @Test
    void aContainerThatCannotBeCreatedLeavesThePodPendingWithTheReason() {
        var status = ContainerStatuses.build(POD, new ContainerStatuses.Observed(false, false, 0, null, null, false, Duration.ZERO,
                "CreateContainerConfigError", "couldn't find key password in Secret prod/db-superuser"));
        assertEquals("Pending", status.getPhase());
        assertEquals("CreateContainerConfigError", status.getContainerStatuses().get(0).getState().getWaiting().getReason());
        assertFalse(status.getContainerStatuses().get(0).getReady());
    }

    @Test
    void theReadyConditionKeepsItsTransitionTimeWhileItDoesNotChange() {
        Pod withStatus = new PodBuilder(POD).withNewStatus().addNewCondition().withType("Ready").withStatus("True")
                .withLastTransitionTime("2026-12-01T09:00:00Z").endCondition().endStatus().build();
        assertEquals("2026-12-01T09:00:00Z", ContainerStatuses.ready(withStatus, true).getLastTransitionTime());
        assertFalse("2026-12-01T09:00:00Z".equals(ContainerStatuses.ready(withStatus, false).getLastTransitionTime()));
    }
}
