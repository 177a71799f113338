package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The options of the {@code sandbox} command. */
class SandboxOptionsTest {
    @Test
    void kubeconfigPathIsAnOptionAndDefaultsToTheSandboxDirectory() {
        SandboxCommand.Options options = SandboxCommand.Options.parse("sandbox", "--once", "--kubeconfig", "/tmp/k/config", "--timeout", "3m", "examples/shop");
        assertEquals(Path.of("/tmp/k/config"), options.kubeconfig());
        assertEquals(Duration.ofMinutes(3), options.timeout());
        assertEquals(Path.of("examples/shop"), options.dir());
        assertNull(SandboxCommand.Options.parse("sandbox", "examples/shop").kubeconfig());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SandboxCommand.Options.parse("sandbox", "dir", "--kubeconfig"));
        assertEquals("--kubeconfig needs a file path", missing.getMessage());
    }
}
