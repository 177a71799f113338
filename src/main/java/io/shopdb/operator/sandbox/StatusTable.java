package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sandbox's view of every shopdb resource: KIND/NAME/READY/REASON, read from status conditions. */
final class StatusTable {
    static final List<String> KINDS = List.of("PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler");

    private final KubernetesClient client;

    StatusTable(KubernetesClient client) {
        this.client = client;
    }

    record Row(String kind, String name, String ready, String reason, boolean stalled, String message) {}

    record Snapshot(List<Row> rows) {
        int size() { return rows.size(); }
        boolean allReady() { return !rows.isEmpty() && rows.stream().allMatch(r -> r.ready().equals("True")); }
        List<String> stalled() { return rows.stream().filter(Row::stalled).map(r -> r.kind() + "/" + r.name() + ": " + r.reason() + ": " + r.message()).toList(); }
        List<String> notReady() { return rows.stream().filter(r -> !r.ready().equals("True")).map(r -> r.kind() + "/" + r.name() + ": " + r.reason() + ": " + r.message()).toList(); }

        String render() {
            StringBuilder sb = new StringBuilder(String.format("%-24s %-28s %-6s %s%n", "KIND", "NAME", "READY", "REASON"));
            rows.forEach(r -> sb.append(String.format("%-24s %-28s %-6s %s%n", r.kind(), r.name(), r.ready(), r.reason())));
            return sb.toString().stripTrailing();
        }
    }

    @SuppressWarnings("unchecked")
    Snapshot snapshot() {
        List<Row> rows = new ArrayList<>();
        for (String kind : KINDS) {
            for (GenericKubernetesResource r : client.genericKubernetesResources("shopdb.io/v1alpha1", kind).inAnyNamespace().list().getItems()) {
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
