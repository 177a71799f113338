package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopdb.operator.sandbox.apiserver.ResourceType.Column;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resources the sandbox serves: the built-in kinds this operator and its users touch, and one entry
 * per served version of every CustomResourceDefinition stored (kept current as CRDs are created, updated
 * and deleted).
 */
final class ResourceTypes {
    private static final List<String> ALL = List.of("all");
    private static final Column AGE = new Column("Age", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp");

    /** The built-in kinds: core/v1 as "v1", other groups as "group/version". */
    private static final List<ResourceType> BUILT_IN = List.of(
            ResourceType.builtIn("v1", "Pod", "pods", true, true, List.of("po"), ALL,
                    new Column("Status", "string", "", "The phase of the pod.", 0, ".status.phase"),
                    new Column("IP", "string", "", "The pod's IP address.", 1, ".status.podIP"), AGE),
            ResourceType.builtIn("v1", "Service", "services", true, true, List.of("svc"), ALL,
                    new Column("Type", "string", "", "The type of the service.", 0, ".spec.type"),
                    new Column("Cluster-IP", "string", "", "The cluster IP of the service.", 0, ".spec.clusterIP"), AGE),
            ResourceType.builtIn("v1", "Secret", "secrets", true, false, List.of(), List.of(),
                    new Column("Type", "string", "", "The type of the secret.", 0, ".type"), AGE),
            ResourceType.builtIn("v1", "ConfigMap", "configmaps", true, false, List.of("cm"), List.of(), AGE),
            ResourceType.builtIn("v1", "Event", "events", true, false, List.of("ev"), List.of(),
                    new Column("Type", "string", "", "The event type.", 0, ".type"),
                    new Column("Reason", "string", "", "The reason of the event.", 0, ".reason"),
                    new Column("Object", "string", "", "The object the event is about.", 0, ".involvedObject.name"),
                    new Column("Message", "string", "", "The message of the event.", 0, ".message"), AGE),
            ResourceType.builtIn("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, true, List.of("pvc"), List.of(),
                    new Column("Status", "string", "", "The phase of the claim.", 0, ".status.phase"), AGE),
            ResourceType.builtIn("v1", "PersistentVolume", "persistentvolumes", false, true, List.of("pv"), List.of(), AGE),
            ResourceType.builtIn("v1", "Namespace", "namespaces", false, true, List.of("ns"), List.of(),
                    new Column("Status", "string", "", "The phase of the namespace.", 0, ".status.phase"), AGE),
            ResourceType.builtIn("v1", "ServiceAccount", "serviceaccounts", true, false, List.of("sa"), List.of(), AGE),
            ResourceType.builtIn("v1", "Endpoints", "endpoints", true, false, List.of("ep"), List.of(), AGE),
            ResourceType.builtIn("v1", "Node", "nodes", false, true, List.of("no"), List.of(), AGE),
            ResourceType.builtIn("apps/v1", "StatefulSet", "statefulsets", true, true, List.of("sts"), ALL,
                    new Column("Ready", "integer", "", "Ready replicas.", 0, ".status.readyReplicas"),
                    new Column("Replicas", "integer", "", "Desired replicas.", 0, ".spec.replicas"), AGE),
            ResourceType.builtIn("apps/v1", "Deployment", "deployments", true, true, List.of("deploy"), ALL, AGE),
            ResourceType.builtIn("apps/v1", "ReplicaSet", "replicasets", true, true, List.of("rs"), ALL, AGE),
            ResourceType.builtIn("apps/v1", "ControllerRevision", "controllerrevisions", true, false, List.of(), List.of(), AGE),
            ResourceType.builtIn("batch/v1", "Job", "jobs", true, true, List.of(), ALL,
                    new Column("Succeeded", "integer", "", "Pods that succeeded.", 0, ".status.succeeded"),
                    new Column("Failed", "integer", "", "Pods that failed.", 0, ".status.failed"), AGE),
            ResourceType.builtIn("batch/v1", "CronJob", "cronjobs", true, true, List.of("cj"), ALL, AGE),
            ResourceType.builtIn("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true, List.of("pdb"), List.of(), AGE),
            ResourceType.builtIn("coordination.k8s.io/v1", "Lease", "leases", true, false, List.of(), List.of(),
                    new Column("Holder", "string", "", "The holder of the lease.", 0, ".spec.holderIdentity"), AGE),
            ResourceType.builtIn("events.k8s.io/v1", "Event", "events", true, false, List.of("ev"), List.of(), AGE),
            ResourceType.builtIn("rbac.authorization.k8s.io/v1", "Role", "roles", true, false, List.of(), List.of(), AGE),
            ResourceType.builtIn("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true, false, List.of(), List.of(), AGE),
            ResourceType.builtIn("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, true,
                    List.of("crd", "crds"), List.of(), AGE));

    /** CRD name → its served versions. */
    private final Map<String, List<ResourceType>> custom = new ConcurrentHashMap<>();

    /** Registers (or replaces) the resources of a stored CustomResourceDefinition. */
    void putCrd(JsonNode crd) {
        String crdName = crd.path("metadata").path("name").asText();
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        List<ResourceType> versions = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(true)) {
                continue;
            }
            List<Column> columns = new ArrayList<>();
            for (JsonNode c : v.path("additionalPrinterColumns")) {
                columns.add(new Column(c.path("name").asText(), c.path("type").asText("string"), c.path("format").asText(""),
                        c.path("description").asText("Custom resource definition column (in JSONPath format): " + c.path("jsonPath").asText()),
                        c.path("priority").asInt(0), c.path("jsonPath").asText()));
            }
            if (columns.isEmpty()) {
                columns.add(AGE); // what kube-apiserver shows for a CRD that declares no columns
            }
            versions.add(new ResourceType(spec.path("group").asText(), v.path("name").asText(), names.path("plural").asText(),
                    names.path("singular").asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)), names.path("kind").asText(),
                    !"Cluster".equals(spec.path("scope").asText()), texts(names.path("shortNames")), texts(names.path("categories")),
                    v.path("subresources").has("status"), List.copyOf(columns)));
        }
        custom.put(crdName, List.copyOf(versions));
    }

    void removeCrd(String crdName) {
        custom.remove(crdName);
    }

    boolean isCustom(ResourceType type) {
        return custom.values().stream().anyMatch(versions -> versions.contains(type));
    }

    List<ResourceType> all() {
        List<ResourceType> out = new ArrayList<>(BUILT_IN);
        custom.values().forEach(out::addAll);
        return out;
    }

    Optional<ResourceType> byPath(ApiPath path) {
        return all().stream().filter(t -> t.group().equals(path.group()) && t.version().equals(path.version())
                && t.plural().equals(path.plural())).findFirst();
    }

    Optional<ResourceType> byKind(String apiVersion, String kind) {
        return all().stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    static Collection<String> groupsOf(List<ResourceType> types) {
        return types.stream().map(ResourceType::group).filter(g -> !g.isEmpty()).distinct().toList();
    }
}
