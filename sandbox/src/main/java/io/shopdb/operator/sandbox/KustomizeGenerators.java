package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.sandbox.admission.YamlDocuments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one kustomize feature the examples rely on: {@code configMapGenerator} with {@code files}, so SQL
 * scripts can live as files in Git. Only stable names are supported ({@code generatorOptions:
 * disableNameSuffixHash: true}), because the sandbox does not rewrite references the way kustomize does.
 */
public final class KustomizeGenerators {
    private KustomizeGenerators() {}

    @SuppressWarnings("unchecked")
    public static List<String> apply(KubernetesClient client, Path kustomization, PrintStream out) throws IOException {
        List<String> rejected = new ArrayList<>();
        for (YamlDocuments.Document doc : YamlDocuments.parse(Files.readString(kustomization))) {
            Map<String, Object> k = (Map<String, Object>) doc.content();
            List<Map<String, Object>> generators = (List<Map<String, Object>>) k.getOrDefault("configMapGenerator", List.of());
            if (generators.isEmpty()) {
                continue;
            }
            Map<String, Object> options = (Map<String, Object>) k.getOrDefault("generatorOptions", Map.of());
            if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))) {
                rejected.add(kustomization + ": the sandbox supports configMapGenerator only with generatorOptions.disableNameSuffixHash: true");
                continue;
            }
            for (Map<String, Object> g : generators) {
                Map<String, String> data = new LinkedHashMap<>();
                for (String file : (List<String>) g.getOrDefault("files", List.of())) {
                    String key = file.contains("=") ? file.substring(0, file.indexOf('=')) : Path.of(file).getFileName().toString();
                    String path = file.contains("=") ? file.substring(file.indexOf('=') + 1) : file;
                    data.put(key, Files.readString(kustomization.getParent().resolve(path)));
                }
                String namespace = String.valueOf(k.getOrDefault("namespace", g.getOrDefault("namespace", client.getNamespace() == null ? "default" : client.getNamespace())));
                client.resource(new ConfigMapBuilder().withNewMetadata().withName(String.valueOf(g.get("name"))).withNamespace(namespace)
                        .endMetadata().withData(data).build()).createOr(existing -> existing.update());
                out.println("sandbox: generated ConfigMap " + g.get("name") + " from " + kustomization + " (" + data.size() + " files)");
            }
        }
        return rejected;
    }
}
