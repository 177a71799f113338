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
}
