package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sandbox installs every CRD in crds/ and watches every kind for its Ready table: a kind missing from either
 * list makes `sandbox --once examples/shop` refuse its manifest ("no matches for kind") or never report it.
 */
class SandboxKindsTest {
    @Test
    void theSandboxInstallsAndReportsEveryKindInCrds() throws Exception {
        TreeSet<String> plurals = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("crds"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".shopdb.io-v1.yml"))
                    .forEach(n -> plurals.add(n.substring(0, n.indexOf('.'))));
        }
        assertEquals(plurals, new TreeSet<>(EmbeddedApiServer.CRD_RESOURCES));
        assertEquals(plurals.size(), StatusTable.KINDS.size());
        List<String> lower = StatusTable.KINDS.stream().map(k -> k.toLowerCase(java.util.Locale.ROOT) + "s").toList();
        assertEquals(plurals, new TreeSet<>(lower));
    }
}
