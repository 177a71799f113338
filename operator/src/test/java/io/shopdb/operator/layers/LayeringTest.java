package io.shopdb.operator.layers;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's packages sit on floors and depend only on floors below them (docs/design-notes.md, "Layout"):
 * no controller package reads another (a shared piece moves down a floor), and no cycle can form. A package
 * nobody placed fails too, so a new one gets a floor on purpose. The sandbox module is above all of them; nothing
 * in the operator names it.
 */
class LayeringTest {
    static final Path SOURCES = Path.of("operator/src/main/java/io/shopdb/operator");
    static final String ROOT = "(root)";
    static final Set<String> CONTROLLERS = Set.of("cluster", "database", "role", "migration", "backup", "pooler");

    /** The floor of each top-level package under io.shopdb.operator; a package may use only lower floors. */
    static final Map<String, Integer> FLOORS = Map.ofEntries(
            // data and PostgreSQL: no Kubernetes, nothing internal
            Map.entry("api", 0), Map.entry("sql", 0),
            // the operator's process (configuration, the running operator, leadership); the agent Jobs and sidecars run
            Map.entry("runtime", 1), Map.entry("agent", 1),
            // the status contract: conditions, reasons, the status writer, spec validators
            Map.entry("status", 2),
            // Kubernetes helpers: caches, desired state, Secrets, pod security
            Map.entry("kube", 3),
            Map.entry("tls", 4),
            // what dependents read of a cluster (names, connections, TLS, events) and of a database
            Map.entry("access", 5),
            // agent Jobs: building, attempts, results (backups, restores and imports all run them)
            Map.entry("jobs", 6),
            // one controller per kind, side by side: none reads another
            Map.entry("cluster", 7), Map.entry("database", 7), Map.entry("role", 7),
            Map.entry("migration", 7), Map.entry("backup", 7), Map.entry("pooler", 7), Map.entry("upgrade", 7),
            // reads every controller's state, read by none
            Map.entry("metrics", 8),
            // the application: main, start and stop
            Map.entry(ROOT, 9));

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package io\\.shopdb\\.operator(?:\\.([a-z0-9]+))?[.;]");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.shopdb\\.operator\\.([a-z][a-z0-9]*)\\.");
    private static final Pattern ROOT_CLASS = Pattern.compile("\\bio\\.shopdb\\.operator\\.[A-Z]");

    @Test
    void theOperatorsPackagesDependOnlyOnLowerFloors() throws IOException {
        Map<String, Set<String>> edges = edges(SOURCES);
        assertTrue(edges.keySet().containsAll(CONTROLLERS), "found the controllers in " + SOURCES + ": " + edges.keySet());
        assertEquals(List.of(), violations(edges));
    }

    @Test
    void nothingInTheOperatorNamesTheSandbox() throws IOException {
        assertEquals(List.of(), filesNaming(SOURCES, "io.shopdb.operator.sandbox"));
    }

    @Test
    void aControllerReadingAnotherIsAViolation() {
        assertEquals(List.of("role -> cluster: a controller reads another controller (move the shared piece down a floor)"),
                violations(Map.of("role", Set.of("cluster", "access", "sql"))));
    }

    @Test
    void anUpwardImportIsAViolationSoNoCycleCanForm() {
        assertEquals(List.of("access -> cluster: floor 5 reads floor 7"),
                violations(Map.of("cluster", Set.of("access"), "access", Set.of("cluster"))));
    }

    @Test
    void aPackageWithoutAFloorIsAViolation() {
        assertEquals(List.of("billing: no floor; place it in LayeringTest.FLOORS"), violations(Map.of("billing", Set.of("sql"))));
    }

    /** What breaks the rules, one line per offending package pair. */
    static List<String> violations(Map<String, Set<String>> edges) {
        List<String> out = new ArrayList<>();
        for (var e : new TreeMap<>(edges).entrySet()) {
            String from = e.getKey();
            Integer floor = FLOORS.get(from);
            if (floor == null) {
                out.add(from + ": no floor; place it in LayeringTest.FLOORS");
                continue;
            }
            for (String to : new TreeSet<>(e.getValue())) {
                Integer below = FLOORS.get(to);
                if (to.equals(from) || below == null) {
                    continue; // a package without a floor is reported as the source of its own edges
                }
                if (CONTROLLERS.contains(from) && CONTROLLERS.contains(to)) {
                    out.add(from + " -> " + to + ": a controller reads another controller (move the shared piece down a floor)");
                } else if (below >= floor) {
                    out.add(from + " -> " + to + ": floor " + floor + " reads floor " + below);
                }
            }
        }
        return out;
    }

    /** Package -> the packages its files name (imports, fully qualified names, javadoc links alike). */
    static Map<String, Set<String>> edges(Path sources) throws IOException {
        Map<String, Set<String>> edges = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(text);
                if (!pkg.find()) {
                    continue;
                }
                String from = pkg.group(1) == null ? ROOT : pkg.group(1);
                Set<String> to = edges.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(text);
                while (ref.find()) {
                    to.add(ref.group(1));
                }
                if (ROOT_CLASS.matcher(text.substring(pkg.end())).find()) {
                    to.add(ROOT);
                }
            }
        }
        return edges;
    }

    private static List<String> filesNaming(Path sources, String name) throws IOException {
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (Files.readString(f).contains(name)) {
                    out.add(f.toString());
                }
            }
            return out;
        }
    }
}
