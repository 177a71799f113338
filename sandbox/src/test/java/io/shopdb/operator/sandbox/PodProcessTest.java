package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodProcessTest {

    @Test
    void dollarParenthesesExpandFromTheEnvironmentLikeTheKubelet() {
        Map<String, String> env = Map.of("DB_HOST", "127.0.0.1", "BACKUP_DIR", "/tmp/x/backup/shop");
        assertEquals("127.0.0.1", PodProcess.expand("$(DB_HOST)", env));
        assertEquals("--dir=/tmp/x/backup/shop", PodProcess.expand("--dir=$(BACKUP_DIR)", env));
        assertEquals("$(UNKNOWN)", PodProcess.expand("$(UNKNOWN)", env));
        assertEquals("$(DB_HOST)", PodProcess.expand("$$(DB_HOST)", env), "$$ escapes");
    }

    @Test
    void theOperatorImagesAgentCommandRunsThisJvmsCode() {
        List<String> cmd = PodProcess.localCommand(List.of("java", "-jar", "/deployments/quarkus-run.jar", "agent", "backup", "--dir", "/d"));
        assertEquals(ProcessHandle.current().info().command().orElse("java"), cmd.get(0));
        // under surefire there is no packaged jar: the main class runs from the test classpath
        assertEquals("-cp", cmd.get(1));
        assertEquals("io.shopdb.operator.agent.AgentMain", cmd.get(3));
        assertEquals(List.of("agent", "backup", "--dir", "/d"), cmd.subList(4, cmd.size()));
        assertEquals(List.of("postgres", "-D", "/data"), PodProcess.localCommand(List.of("postgres", "-D", "/data")), "other commands stay");
        assertTrue(PodProcess.localCommand(List.of("java")).equals(List.of("java")));
    }

    @Test
    void aFailingContainerRestartsAtOnceThenWithTheKubeletsBackOffAndItsLogTailIsTheMessage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("db-0").withNamespace("t").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withCommand("/bin/sh", "-c", "echo starting; echo 'FATAL:  no such library'; exit 3")
                .withTerminationMessagePolicy("FallbackToLogsOnError").endContainer().endSpec().build();
        var process = new PodProcess(pod, pod.getSpec().getContainers().get(0), Map.of("PATH", "/usr/bin:/bin"), dir, dir.resolve("log"), false);
        process.start();
        assertEquals(3, process.awaitExit(java.time.Duration.ofSeconds(10)));
        process.noteEnded(dir.resolve("termination-log"));
        assertEquals(3, process.lastTermination().exitCode());
        assertEquals("Error", process.lastTermination().reason());
        assertTrue(process.lastTermination().message().contains("FATAL:  no such library"), process.lastTermination().message());
        assertTrue(!process.inBackOff(), "the first restart is immediate");
        process.restart();
        process.awaitExit(java.time.Duration.ofSeconds(10));
        process.noteEnded(dir.resolve("termination-log"));
        assertTrue(process.inBackOff(), "the second waits");
        assertEquals(java.time.Duration.ofSeconds(10), process.currentBackOff());
        assertEquals(1, process.restarts());
    }
}
