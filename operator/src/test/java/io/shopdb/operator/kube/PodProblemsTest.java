package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PodProblemsTest {

    static Pod pod(String phase) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase(phase).endStatus().build();
    }

    @Test
    void stuckContainersAndUnschedulablePodsAreProblemsAndProgressIsNot() {
        Pod image = new PodBuilder(pod("Pending")).editStatus().addNewInitContainerStatus().withName("restore").withNewState().withNewWaiting()
                .withReason("ErrImagePull").withMessage("pull access denied").endWaiting().endState().endInitContainerStatus().endStatus().build();
        assertEquals(Optional.of(new PodProblems.Problem("ErrImagePull", "container restore: pull access denied")), PodProblems.of(image));
        Pod crash = new PodBuilder(pod("Running")).editStatus().addNewContainerStatus().withName("postgres").withNewState().withNewWaiting()
                .withReason("CrashLoopBackOff").endWaiting().endState().endContainerStatus().endStatus().build();
        assertEquals("container postgres: CrashLoopBackOff", PodProblems.of(crash).orElseThrow().message());
        Pod unschedulable = new PodBuilder(pod("Pending")).editStatus().addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory.").endCondition().endStatus().build();
        assertEquals("Unschedulable", PodProblems.of(unschedulable).orElseThrow().reason());

        Pod creating = new PodBuilder(pod("Pending")).editStatus().addNewContainerStatus().withName("agent").withNewState().withNewWaiting()
                .withReason("ContainerCreating").endWaiting().endState().endContainerStatus().endStatus().build();
        assertEquals(Optional.empty(), PodProblems.of(creating));
        assertEquals(Optional.empty(), PodProblems.of(pod("Succeeded")));
        assertEquals(Optional.empty(), PodProblems.of(new PodBuilder().build()));
    }
}
