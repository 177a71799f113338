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

    @Test
    void restartingTheOperatorPeriodicallyIsOptIn() {
        assertNull(SandboxCommand.Options.parse("sandbox", "examples/shop").restartEvery());
        assertEquals(Duration.ofSeconds(20), SandboxCommand.Options.parse("sandbox", "--restart-operator-every", "20s", "examples/shop").restartEvery());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> SandboxCommand.Options.parse("sandbox", "--restart-operator-every", "0s", "dir"));
        assertEquals("--restart-operator-every must be more than 0s", zero.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SandboxCommand.Options.parse("sandbox", "--restart-operator-every", "soon", "dir"));
        assertEquals("--restart-operator-every takes seconds or minutes, e.g. 180s or 3m; got soon", bad.getMessage());
    }
}
