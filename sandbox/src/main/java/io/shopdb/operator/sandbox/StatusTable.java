package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's view of every shopdb resource: KIND/NAME/READY/REASON, read from status conditions. Read from
 * informers (one list and a watch per kind), not a LIST per pass: with thousands of roles a LIST twice a second
 * would cost the in-process API server more than the operator's own work.
 */
final class StatusTable {
    /** Above this many resources the table becomes one line per kind (Ready of total). */
    static final int MAX_ROWS = 40;
    static final List<String> KINDS = List.of("PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler", "PostgresMajorUpgrade",
            "PostgresImageCatalog");

    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

    StatusTable(KubernetesClient client) {
        for (String kind : KINDS) {
            informers.add(client.genericKubernetesResources("shopdb.io/v1alpha1", kind).inAnyNamespace().inform());
        }
    }

    void close() {
        informers.forEach(SharedIndexInformer::close);
    }

    record Row(String kind, String name, String ready, String reason, boolean stalled, String message) {}

    record Snapshot(List<Row> rows) {
        int size() { return rows.size(); }
        boolean allReady() { return !rows.isEmpty() && rows.stream().allMatch(r -> r.ready().equals("True")); }
        List<String> stalled() { return rows.stream().filter(Row::stalled).map(r -> r.kind() + "/" + r.name() + ": " + r.reason() + ": " + r.message()).toList(); }
        List<String> notReady() { return rows.stream().filter(r -> !r.ready().equals("True")).map(r -> r.kind() + "/" + r.name() + ": " + r.reason() + ": " + r.message()).toList(); }

        String render() {
            if (rows.size() > MAX_ROWS) {
                return summary();
            }
            StringBuilder sb = new StringBuilder(String.format("%-24s %-28s %-6s %s%n", "KIND", "NAME", "READY", "REASON"));
            rows.forEach(r -> sb.append(String.format("%-24s %-28s %-6s %s%n", r.kind(), r.name(), r.ready(), r.reason())));
            return sb.toString().stripTrailing();
        }

        private String summary() {
            Map<String, int[]> byKind = new java.util.LinkedHashMap<>();
            rows.forEach(r -> {
                int[] counts = byKind.computeIfAbsent(r.kind(), k -> new int[2]);
                counts[1]++;
                if (r.ready().equals("True")) {
                    counts[0]++;
                }
            });
            StringBuilder sb = new StringBuilder(String.format("%-24s %s%n", "KIND", "READY"));
            byKind.forEach((kind, c) -> sb.append(String.format("%-24s %d/%d%n", kind, c[0], c[1])));
            return sb.toString().stripTrailing();
        }
    }

    @SuppressWarnings("unchecked")
    Snapshot snapshot() {
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < KINDS.size(); k++) {
            String kind = KINDS.get(k);
            List<GenericKubernetesResource> items = new ArrayList<>(informers.get(k).getStore().list());
            items.sort(java.util.Comparator.comparing((GenericKubernetesResource r) -> r.getMetadata().getNamespace())
                    .thenComparing(r -> r.getMetadata().getName()));
            for (GenericKubernetesResource r : items) {
                Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
                String ready = "-", reason = "Pending", message = "not reconciled yet";
                boolean stalled = false;
                if (status != null && status.get("conditions") instanceof List<?> conditions) {
                    for (Object o : conditions) {
                        Map<String, Object> c = (Map<String, Object>) o;
                        if ("Ready".equals(c.get("type"))) {
                            ready = String.valueOf(c.get("status"));
                            reason = String.valueOf(c.get("reason"));
                            message = String.valueOf(c.get("message"));
                        }
                        if ("Stalled".equals(c.get("type")) && "True".equals(c.get("status"))) {
                            stalled = true;
                        }
                    }
                }
                rows.add(new Row(kind, r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), ready, reason, stalled, message));
            }
        }
        return new Snapshot(rows);
    }
}
