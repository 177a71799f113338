package io.shopdb.operator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/** Files of the repository the tests read (they run from its root): the generated CRDs, manifest folders. */
public final class RepoFiles {
    private RepoFiles() {}

    /** The generated CRDs in crds/, sorted. */
    public static List<Path> crdFiles() throws IOException {
        try (Stream<Path> list = Files.list(Paths.get("crds"))) {
            return list.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** Every manifest (*.yaml except kustomization.yaml) under {@code dir}, sorted. */
    public static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }
}
