package io.shopdb.operator.sandbox.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates manifests of custom resources the way kube-apiserver admits them, because the
 * in-process fabric8 mock API server of the sandbox and tests validates nothing.
 *
 * <p>For a manifest whose {@code apiVersion}/{@code kind} a CRD of the {@link CrdCatalog} serves:
 * <ol>
 *   <li>prepare like kube-apiserver: drop {@code status} when the status subresource is on,
 *       prune nulls of non-nullable fields, apply schema defaults;</li>
 *   <li>ObjectMeta: name (or generateName) and namespace syntax;</li>
 *   <li>the OpenAPI v3 schema (networknt, see {@link SchemaConverter}), reporting unknown fields
 *       as kubectl's strict field validation does, and list-type set/map duplicates;</li>
 *   <li>the {@code x-kubernetes-validations} CEL rules ({@link CelRules}), skipped, with one
 *       violation saying so, when an earlier step found a violation kube-apiserver deems blocking
 *       (wrong type, enum, required, maxLength, maxItems, maxProperties).</li>
 * </ol>
 * Differences from kube-apiserver worth knowing: we report every problem at once (a real
 * {@code kubectl apply} stops at unknown fields); there is no validation ratcheting on update
 * (unchanged invalid fields are still reported); no version conversion (old and new objects are
 * read with the new object's schema); no CEL cost limits: cel-java (dev.cel 0.11) has no cost estimator,
 * so a CRD kube-apiserver refuses as too expensive is not refused here. The API keeps every spec string,
 * list and map bounded (CrdBoundsTest) so that rules stay far below the Kubernetes budgets.
 *
 * <p>Instances are thread-safe; per-CRD schemas and compiled rules are built on first use.
 */
public final class ManifestValidator {

    private static final String RULES_SKIPPED = "some validation rules were not checked because the object "
            + "was invalid; correct the existing errors to complete validation";

    private record Engine(StructuralValidation schema, CelRules rules) {
    }

    private final CrdCatalog catalog;
    private final Set<String> unchecked;
    private final Map<String, Engine> engines = new ConcurrentHashMap<>();

    public ManifestValidator(CrdCatalog catalog) {
        this(catalog, Set.of());
    }

    private ManifestValidator(CrdCatalog catalog, Set<String> unchecked) {
        this.catalog = catalog;
        this.unchecked = Set.copyOf(unchecked);
    }

    /** A validator for the CRDs in {@code directory}, e.g. the project's {@code crds/}. */
    public static ManifestValidator forCrdDirectory(Path directory) {
        return new ManifestValidator(CrdCatalog.fromDirectory(directory));
    }

    /**
     * A validator that also accepts manifests of the given kinds (written {@code apiVersion/kind},
     * e.g. {@code v1/ConfigMap}, {@code v1/Secret}) with only their metadata checked, for example
     * directories that mix our custom resources with the ConfigMaps they reference.
     */
    public ManifestValidator acceptingUnchecked(String... apiVersionSlashKind) {
        Set<String> kinds = new java.util.HashSet<>(unchecked);
        kinds.addAll(List.of(apiVersionSlashKind));
        return new ManifestValidator(catalog, kinds);
    }

    /** The violations kube-apiserver would report when creating {@code manifest}; empty if valid. */
    public List<Violation> validateCreate(Map<String, Object> manifest) {
        return validate(manifest, null);
    }

    /**
     * The violations of replacing {@code oldObj} by {@code newObj}: everything
     * {@link #validateCreate} checks, plus transition rules ({@code oldSelf}) and the immutability
     * of kind, name and namespace.
     */
    public List<Violation> validateUpdate(Map<String, Object> newObj, Map<String, Object> oldObj) {
        return validate(newObj, java.util.Objects.requireNonNull(oldObj, "oldObj"));
    }

    /**
     * {@code manifest} as kube-apiserver would store it: a deep copy with schema defaults applied,
     * non-nullable nulls pruned and, with the status subresource on, no status; for the sandbox to
     * apply what a real cluster would hold.
     *
     * @throws IllegalArgumentException when no CRD serves the manifest's apiVersion and kind
     */
    public Map<String, Object> withDefaults(Map<String, Object> manifest) {
        CrdCatalog.CrdVersion crd = catalog.find(String.valueOf(manifest.get("apiVersion")),
                        String.valueOf(manifest.get("kind")))
                .orElseThrow(() -> new IllegalArgumentException(unknownKind(manifest).message()));
        return prepare(manifest, crd);
    }

    /** Validates every document of a YAML file as a create; see {@link #validateYaml}. */
    public List<FileViolation> validateFile(Path file) {
        try {
            return validateYaml(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Validates every non-empty {@code ---} separated document of {@code yaml} as a create.
     * A YAML syntax error or a document that is not an object is a violation too.
     *
     * @param source how violations name the text, usually its file name
     */
    public List<FileViolation> validateYaml(String yaml, String source) {
        List<YamlDocuments.Document> documents;
        try {
            documents = YamlDocuments.parse(yaml);
        } catch (YamlDocuments.InvalidYamlException e) {
            return List.of(new FileViolation(source, e.line(), "", new Violation("", e.getMessage())));
        }
        List<FileViolation> result = new ArrayList<>();
        for (YamlDocuments.Document document : documents) {
            if (!(document.content() instanceof Map<?, ?> raw)) {
                result.add(new FileViolation(source, document.line(), "",
                        new Violation("", "document is not an object")));
                continue;
            }
            @SuppressWarnings("unchecked") Map<String, Object> manifest = (Map<String, Object>) raw;
            String resource = manifest.get("kind") + "/" + (manifest.get("metadata") instanceof Map<?, ?> m
                    ? m.get("name") : null);
            for (Violation violation : validateCreate(manifest)) {
                result.add(new FileViolation(source, document.line(), resource, violation));
            }
        }
        return result;
    }

    /**
     * CEL rules of the catalog's CRDs that do not compile; kube-apiserver would refuse such a CRD.
     * Paths are {@code crdName/version:schemaPath}, with {@code *} for map values and list items.
     */
    public List<Violation> ruleCompilationErrors() {
        List<Violation> errors = new ArrayList<>();
        for (CrdCatalog.CrdVersion crd : catalog.versions()) {
            for (Violation error : engine(crd).rules().compileErrors()) {
                errors.add(new Violation(crd.crdName() + "/" + crd.version() + ":" + error.path(), error.message()));
            }
        }
        return errors;
    }

    private List<Violation> validate(Map<String, Object> manifest, Map<String, Object> oldObj) {
        List<Violation> violations = new ArrayList<>();
        Object apiVersion = manifest.get("apiVersion");
        Object kind = manifest.get("kind");
        if (!(apiVersion instanceof String) || !(kind instanceof String)) {
            if (!(apiVersion instanceof String)) {
                violations.add(new Violation("apiVersion", "Required value"));
            }
            if (!(kind instanceof String)) {
                violations.add(new Violation("kind", "Required value"));
            }
            return violations;
        }
        if (oldObj != null && (!apiVersion.equals(oldObj.get("apiVersion")) || !kind.equals(oldObj.get("kind")))) {
            violations.add(new Violation("kind", "may not change from " + oldObj.get("apiVersion") + "/"
                    + oldObj.get("kind") + " to " + apiVersion + "/" + kind));
            return violations;
        }
        if (unchecked.contains(apiVersion + "/" + kind)) {
            violations.addAll(ObjectMetaValidation.validate(manifest));
            return violations;
        }
        CrdCatalog.CrdVersion crd = catalog.find((String) apiVersion, (String) kind).orElse(null);
        if (crd == null) {
            violations.add(unknownKind(manifest));
            return violations;
        }
        Map<String, Object> object = prepare(manifest, crd);
        Map<String, Object> old = oldObj == null ? null : prepare(oldObj, crd);
        generateName(object);
        List<Violation> metadata = ObjectMetaValidation.validate(object);
        violations.addAll(metadata);
        boolean blocking = metadata.stream().anyMatch(v -> v.message().startsWith("Required value"));
        if (old != null) {
            immutable(violations, object, old, "name");
            immutable(violations, object, old, "namespace");
        }
        Engine engine = engine(crd);
        StructuralValidation.Result structural = engine.schema().validate(object);
        violations.addAll(structural.violations());
        violations.addAll(ListTypes.validate(object, crd.schema()));
        if (blocking || structural.blocking()) {
            violations.add(new Violation("", RULES_SKIPPED));
        } else {
            violations.addAll(engine.rules().validate(object, old));
        }
        return violations;
    }

    private Engine engine(CrdCatalog.CrdVersion crd) {
        return engines.computeIfAbsent(crd.crdName() + "/" + crd.version(),
                key -> new Engine(new StructuralValidation(crd.schema()), new CelRules(crd.schema(), crd.kind())));
    }

    private static Map<String, Object> prepare(Map<String, Object> manifest, CrdCatalog.CrdVersion crd) {
        Map<String, Object> object = Defaulting.apply(manifest, crd.schema());
        if (crd.statusSubresource()) {
            object.remove("status");
        }
        return object;
    }

    /**
     * kube-apiserver turns generateName into a name (adding 5 random characters) before it
     * validates, so rules and name checks see a name; we add a fixed suffix to our copy.
     */
    @SuppressWarnings("unchecked")
    private static void generateName(Map<String, Object> object) {
        if (object.get("metadata") instanceof Map<?, ?> metadata && metadata.get("name") == null
                && metadata.get("generateName") instanceof String prefix) {
            ((Map<String, Object>) metadata).put("name", prefix + "xxxxx");
        }
    }

    private static void immutable(List<Violation> out, Map<String, Object> object, Map<String, Object> old,
                                  String field) {
        Object now = object.get("metadata") instanceof Map<?, ?> m ? m.get(field) : null;
        Object before = old.get("metadata") instanceof Map<?, ?> m ? m.get(field) : null;
        if (before != null && !before.equals(now)) {
            out.add(new Violation("metadata." + field, "field is immutable"));
        }
    }

    private Violation unknownKind(Map<String, Object> manifest) {
        String apiVersion = String.valueOf(manifest.get("apiVersion"));
        String kind = String.valueOf(manifest.get("kind"));
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (catalog.knowsKind(group, kind)) {
            return new Violation("apiVersion", "no served version \"" + apiVersion + "\" of kind \"" + kind + "\"");
        }
        return new Violation("kind", "no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
    }
}
