package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.testing.OperatorTestBase;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instance pods that cannot start are visible in the PostgresCluster's reason and message (read from the pod
 * informer's container statuses, which the sandbox kubelet reports as a kubelet does), and a crashed server
 * is restarted by the kubelet like a real container.
 */
@QuarkusTest
class PodFailuresOperatorTest extends OperatorTestBase {
    @Inject LocalKubelet kubelet;

    @Test
    void aServerThatExitsWithFatalAtStartIsReportedWithItsLogLineAndRecoversWhenFixed() {
        // a value the parameter checks accept and the server cannot start with: more shared memory than the machine has
        create(ClusterOperatorTest.managed("fatal", 1, Map.of("shared_buffers", "4000GB")));
        PostgresCluster failing = awaitCondition(PostgresCluster.class, "fatal", Conditions.RECONCILING, Reasons.INSTANCE_FAILING);
        String message = Conditions.find(failing.getStatus(), Conditions.READY).getMessage();
        assertTrue(message.startsWith("pod fatal-0: container postgres"), message);
        assertTrue(message.contains("could not map anonymous shared memory"), message);
        Pod pod = client.pods().inNamespace(ns()).withName("fatal-0").get();
        var cs = pod.getStatus().getContainerStatuses().get(0);
        assertTrue(cs.getRestartCount() >= 1, "the kubelet restarts it");
        assertNotNull(cs.getLastState().getTerminated());
        assertTrue(cs.getLastState().getTerminated().getExitCode() != 0);

        client.resources(PostgresCluster.class).inNamespace(ns()).withName("fatal")
                .edit(c -> { c.getSpec().getParameters().remove("shared_buffers"); return c; });
        awaitReady(PostgresCluster.class, "fatal");
    }

    @Test
    void aMissingSecretKeyIsReportedAsTheKubeletsCreateContainerConfigError() {
        create(new SecretBuilder().withNewMetadata().withName("cfgerr-superuser").endMetadata()
                .addToData("username", Base64.getEncoder().encodeToString("postgres".getBytes(StandardCharsets.UTF_8))).build());
        create(ClusterOperatorTest.managed("cfgerr", 1, Map.of()));
        PostgresCluster failing = awaitCondition(PostgresCluster.class, "cfgerr", Conditions.RECONCILING, Reasons.INSTANCE_FAILING);
        String message = Conditions.find(failing.getStatus(), Conditions.READY).getMessage();
        assertEquals("pod cfgerr-0: container postgres CreateContainerConfigError: couldn't find key password in Secret "
                + ns() + "/cfgerr-superuser", message);
        assertEquals("Pending", client.pods().inNamespace(ns()).withName("cfgerr-0").get().getStatus().getPhase());
    }

    @Test
    void aKilledServerIsRestartedByTheKubeletAndFailoverDelayRidesItOut() {
        PostgresCluster patient = ClusterOperatorTest.managed("patient", 2, Map.of());
        patient.getSpec().setFailoverDelay(600);
        create(patient);
        awaitReady(PostgresCluster.class, "patient");
        assertTrue(kubelet.crashServer(ns(), "patient-0"), "SIGKILL to the postmaster");
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
            Pod p = client.pods().inNamespace(ns()).withName("patient-0").get();
            return p.getStatus().getContainerStatuses().get(0).getRestartCount() == 1;
        });
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.events().v1().events().inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> e.getRegarding() != null && "patient".equals(e.getRegarding().getName()) && e.getNote() != null
                        && e.getNote().contains("failover after 600 s (spec.failoverDelay)")));
        PostgresCluster back = await(PostgresCluster.class, "patient",
                c -> Conditions.isReady(c.getStatus()) && c.getStatus().getReadyInstances() == 2);
        assertEquals("patient-0", back.getStatus().getCurrentPrimary(), "within spec.failoverDelay the primary is waited for");
        assertEquals(null, back.getStatus().getFailovers());
        Pod p = client.pods().inNamespace(ns()).withName("patient-0").get();
        assertEquals("Error", p.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getReason());
    }
}
