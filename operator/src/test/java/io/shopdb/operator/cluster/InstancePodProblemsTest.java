package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstancePodProblemsTest {

    static Pod pod(String name, boolean ready, ContainerStatus status) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .withContainerStatuses(status).endStatus().build();
    }

    @Test
    void aCrashLoopShowsTheFatalLineOfTheTerminationMessage() {
        var status = new ContainerStatusBuilder().withName("postgres").withRestartCount(3)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                .withMessage("shopdb: starting as the primary\n2026-12-01 FATAL:  could not access file \"no_such_library\": No such file or directory\n")
                .endTerminated().endLastState().build();
        List<String> problems = InstancePodProblems.describe(List.of(pod("db-0", false, status)));
        assertEquals(List.of("pod db-0: container postgres CrashLoopBackOff (restarted 3 times), last run exited with code 1: "
                + "2026-12-01 FATAL: could not access file \"no_such_library\": No such file or directory"), problems);
    }

    @Test
    void imagePullAndConfigErrorsAreReportedWithTheKubeletsMessage() {
        var pull = new ContainerStatusBuilder().withName("postgres").withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image \"postgres:99\"").endWaiting().endState().build();
        var config = new ContainerStatusBuilder().withName("postgres").withRestartCount(0)
                .withNewState().withNewWaiting().withReason("CreateContainerConfigError")
                .withMessage("couldn't find key password in Secret prod/db-superuser").endWaiting().endState().build();
        List<String> problems = InstancePodProblems.describe(List.of(pod("db-0", false, pull), pod("db-1", false, config)));
        assertEquals(List.of("pod db-0: container postgres ImagePullBackOff: Back-off pulling image \"postgres:99\"",
                "pod db-1: container postgres CreateContainerConfigError: couldn't find key password in Secret prod/db-superuser"), problems);
    }

    @Test
    void readyPodsAndPodsStillStartingOrRestartedOnceAreNotProblems() {
        var starting = new ContainerStatusBuilder().withName("postgres").withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState().build();
        var recovered = new ContainerStatusBuilder().withName("postgres").withRestartCount(1)
                .withNewState().withNewRunning().endRunning().endState()
                .withNewLastState().withNewTerminated().withExitCode(137).endTerminated().endLastState().build();
        assertTrue(InstancePodProblems.describe(List.of(pod("db-0", false, starting), pod("db-1", true, recovered), pod("db-2", false, recovered))).isEmpty());
    }
}
