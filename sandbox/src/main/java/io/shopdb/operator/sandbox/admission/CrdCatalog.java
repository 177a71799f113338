package io.shopdb.operator.sandbox.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CustomResourceDefinitions a {@link ManifestValidator} knows, one entry per served version.
 *
 * <p>Only {@code apiextensions.k8s.io/v1} CRDs are accepted (v1beta1 is gone from Kubernetes and
 * has a different schema layout); anything else in the input is an error rather than silently
 * skipped, so that a mistyped CRD file cannot turn validation off. A CRD with a {@code pattern} RE2
 * cannot compile is refused, as kube-apiserver refuses it.
 */
public final class CrdCatalog {

    /**
     * One served version of a CRD.
     *
     * @param crdName            {@code metadata.name}, e.g. {@code postgresclusters.shopdb.io}
     * @param schema             the version's {@code schema.openAPIV3Schema}, as parsed (read only)
     * @param statusSubresource  whether {@code subresources.status} is on; then the main resource
     *                           ignores {@code status} (kube-apiserver resets or keeps it)
     */
    public record CrdVersion(String crdName, String group, String version, String kind,
                             Map<String, Object> schema, boolean statusSubresource) {

        /** {@code group/version}, as in a manifest's {@code apiVersion}. */
        public String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private final List<CrdVersion> versions;

    private CrdCatalog(List<CrdVersion> versions) {
        this.versions = List.copyOf(versions);
    }

    /** Loads every {@code *.yml}/{@code *.yaml} file of {@code directory} (not recursive). */
    public static CrdCatalog fromDirectory(Path directory) {
        List<String> yamls = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && (name.endsWith(".yml") || name.endsWith(".yaml"))) {
                    yamls.add(Files.readString(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CRDs from " + directory, e);
        }
        if (yamls.isEmpty()) {
            throw new IllegalArgumentException("no CRD files (*.yml, *.yaml) in " + directory);
        }
        return fromYaml(yamls);
    }

    /** Loads CRDs from YAML texts; each may hold several {@code ---} separated CRDs. */
    public static CrdCatalog fromYaml(String... yamls) {
        return fromYaml(List.of(yamls));
    }

    /** Loads CRDs from YAML texts; each may hold several {@code ---} separated CRDs. */
    public static CrdCatalog fromYaml(Collection<String> yamls) {
        List<CrdVersion> versions = new ArrayList<>();
        for (String yaml : yamls) {
            for (YamlDocuments.Document document : YamlDocuments.parse(yaml)) {
                versions.addAll(readCrd(document));
            }
        }
        return new CrdCatalog(versions);
    }

    /** The served version for a manifest's {@code apiVersion} and {@code kind}, if any. */
    public Optional<CrdVersion> find(String apiVersion, String kind) {
        return versions.stream()
                .filter(v -> v.apiVersion().equals(apiVersion) && v.kind().equals(kind))
                .findFirst();
    }

    /** Whether some CRD defines {@code kind} in {@code group}, whatever the version. */
    public boolean knowsKind(String group, String kind) {
        return versions.stream().anyMatch(v -> v.group().equals(group) && v.kind().equals(kind));
    }

    /** All served versions of all CRDs, in load order. */
    public List<CrdVersion> versions() {
        return versions;
    }

    @SuppressWarnings("unchecked")
    private static List<CrdVersion> readCrd(YamlDocuments.Document document) {
        if (!(document.content() instanceof Map<?, ?> crd)
                || !"apiextensions.k8s.io/v1".equals(crd.get("apiVersion"))
                || !"CustomResourceDefinition".equals(crd.get("kind"))) {
            throw new IllegalArgumentException("document at line " + document.line()
                    + " is not an apiextensions.k8s.io/v1 CustomResourceDefinition");
        }
        String name = String.valueOf(path(crd, "metadata", "name"));
        Map<String, Object> spec = (Map<String, Object>) require(crd, name, "spec");
        String group = (String) require(spec, name, "group");
        String kind = (String) require((Map<String, Object>) require(spec, name, "names"), name, "kind");
        List<CrdVersion> result = new ArrayList<>();
        for (Object item : (List<Object>) require(spec, name, "versions")) {
            Map<String, Object> version = (Map<String, Object>) item;
            if (!Boolean.TRUE.equals(version.get("served"))) {
                continue; // kube-apiserver refuses manifests of versions it does not serve
            }
            Object schema = path(version, "schema", "openAPIV3Schema");
            if (!(schema instanceof Map)) {
                throw new IllegalArgumentException("CRD " + name + " version " + version.get("name")
                        + " has no schema.openAPIV3Schema");
            }
            Violation badPattern = Re2Patterns.firstInvalid((Map<String, Object>) schema);
            if (badPattern != null) {
                // kube-apiserver refuses the whole CRD, so the sandbox does too rather than admit it.
                throw new IllegalArgumentException("CRD " + name + " version " + version.get("name")
                        + " is invalid: " + badPattern);
            }
            boolean status = path(version, "subresources", "status") != null;
            result.add(new CrdVersion(name, group, (String) version.get("name"), kind,
                    (Map<String, Object>) schema, status));
        }
        return result;
    }

    private static Object require(Map<?, ?> map, String crdName, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("CRD " + crdName + " lacks " + key);
        }
        return value;
    }

    private static Object path(Map<?, ?> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }
}
