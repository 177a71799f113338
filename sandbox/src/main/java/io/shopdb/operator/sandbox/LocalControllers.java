package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The two kube-controller-manager loops the sandbox needs, reduced to what this operator uses: the
 * StatefulSet controller (OrderedReady or Parallel pods, PVCs from claim templates, RollingUpdate from the
 * highest ordinal or OnDelete, scale down, PVC retention policy) and the Job controller ({@link LocalJobs}); plus
 * the release of local volumes whose claim is gone; and the Deployment controller without ReplicaSets
 * ({@link LocalDeployments}). Garbage collection (objects whose owner is gone) is the API
 * server's (sandbox/apiserver/GarbageCollector), as in a cluster.
 */
@ApplicationScoped
public class LocalControllers {
    private static final Logger LOG = Logger.getLogger(LocalControllers.class);
    static final String REVISION_LABEL = "controller-revision-hash";
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

    @Inject KubernetesClient client;

    /** The sandbox's own client (its User-Agent tells its calls from the operator's at the API server). */
    void useClient(KubernetesClient own) {
        this.client = own;
    }
    @Inject LocalKubelet kubelet;

    /**
     * The sandbox's nodes, three as a small real cluster has, so `kubectl cordon` and drains mean something: the
     * sandbox's scheduling puts a StatefulSet's ordinal i on node i mod 3, as the instances' anti-affinity asks.
     */
    static final int NODES = 3;
    private boolean nodesRegistered;

    static String nodeFor(int ordinal) {
        return "sandbox-node-" + (ordinal % NODES);
    }

    private void registerNodes() {
        for (int i = 0; i < NODES; i++) {
            String name = nodeFor(i);
            if (client.nodes().withName(name).get() == null) {
                client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(name)
                        .addToLabels("kubernetes.io/hostname", name).endMetadata()
                        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition().endStatus()
                        .build()).create();
            }
        }
        nodesRegistered = true;
    }

    public synchronized void sync() {
        if (!nodesRegistered) {
            registerNodes();
        }
        for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            syncStatefulSet(sts);
        }
        new LocalJobs(client).sync();
        new LocalDeployments(client).sync();
        releaseVolumes();
    }

    private void syncStatefulSet(StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName();
        int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        String revision = revision(sts);
        Map<Integer, Pod> byOrdinal = new HashMap<>();
        for (Pod p : ownedPods(sts)) {
            byOrdinal.put(ordinal(p), p);
        }
        // scale down, highest ordinal first
        for (var e : byOrdinal.entrySet()) {
            if (e.getKey() >= replicas) {
                LOG.infof("sandbox: scaling down %s/%s", ns, e.getValue().getMetadata().getName());
                client.resource(e.getValue()).delete();
            }
        }
        // create missing pods: OrderedReady one at a time, each only when all lower ordinals are ready;
        // Parallel all at once, whatever the others' state
        boolean parallel = "Parallel".equals(sts.getSpec().getPodManagementPolicy());
        for (int i = 0; i < replicas; i++) {
            Pod p = byOrdinal.get(i);
            if (p == null) {
                ensureClaims(sts, i);
                client.resource(newPod(sts, i, revision)).create();
                if (!parallel) {
                    break;
                }
            } else if (!parallel && !LocalKubelet.isReady(p)) {
                break;
            }
        }
        // RollingUpdate: when all are ready, replace the highest-ordinal pod of an old revision.
        // OnDelete: never; a pod gets the new template when someone deletes it.
        boolean onDelete = sts.getSpec().getUpdateStrategy() != null && "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType());
        boolean allReady = byOrdinal.size() == replicas && byOrdinal.values().stream().allMatch(LocalKubelet::isReady);
        if (allReady && !onDelete) {
            for (int i = replicas - 1; i >= 0; i--) {
                Pod p = byOrdinal.get(i);
                if (p != null && !revision.equals(p.getMetadata().getLabels().get(REVISION_LABEL))) {
                    LOG.infof("sandbox: rolling %s/%s to revision %s", ns, p.getMetadata().getName(), revision);
                    client.resource(p).delete();
                    break;
                }
            }
        }
        int ready = (int) byOrdinal.entrySet().stream().filter(e -> e.getKey() < replicas && LocalKubelet.isReady(e.getValue())).count();
        int updated = (int) byOrdinal.values().stream().filter(p -> revision.equals(p.getMetadata().getLabels().get(REVISION_LABEL))).count();
        var status = sts.getStatus();
        if (status == null || !Integer.valueOf(ready).equals(status.getReadyReplicas()) || !Integer.valueOf(byOrdinal.size()).equals(status.getReplicas())
                || !Integer.valueOf(updated).equals(status.getUpdatedReplicas()) || !revision.equals(status.getUpdateRevision())) {
            client.apps().statefulSets().inNamespace(ns).withName(name).editStatus(s -> {
                s.setStatus(new StatefulSetStatusBuilder()
                        .withReplicas(byOrdinal.size()).withReadyReplicas(ready).withAvailableReplicas(ready)
                        .withCurrentReplicas(updated).withUpdatedReplicas(updated)
                        .withUpdateRevision(revision).withCurrentRevision(revision)
                        .withObservedGeneration(sts.getMetadata().getGeneration())
                        .build());
                return s;
            });
        }
    }

    private void ensureClaims(StatefulSet sts, int ordinal) {
        if (sts.getSpec().getVolumeClaimTemplates() == null) {
            return;
        }
        boolean deleteWithSet = sts.getSpec().getPersistentVolumeClaimRetentionPolicy() != null
                && "Delete".equals(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
        for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
            String claim = template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
            if (client.persistentVolumeClaims().inNamespace(sts.getMetadata().getNamespace()).withName(claim).get() != null) {
                continue;
            }
            client.resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(claim).withNamespace(sts.getMetadata().getNamespace())
                    .withLabels(template.getMetadata().getLabels())
                    .withOwnerReferences(deleteWithSet ? List.of(owner(sts)) : List.of())
                    .endMetadata()
                    .withSpec(template.getSpec())
                    .build()).create();
            // a create leaves a claim Pending; the provisioner binds it through the status subresource
            client.persistentVolumeClaims().inNamespace(sts.getMetadata().getNamespace()).withName(claim)
                    .editStatus(c -> new PersistentVolumeClaimBuilder(c).withNewStatus().withPhase("Bound").endStatus().build());
        }
    }

    private Pod newPod(StatefulSet sts, int ordinal, String revision) {
        String podName = sts.getMetadata().getName() + "-" + ordinal;
        Map<String, String> labels = new HashMap<>(sts.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(REVISION_LABEL, revision);
        labels.put(POD_NAME_LABEL, podName);
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(sts.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(sts.getSpec().getTemplate().getMetadata().getAnnotations())
                .withOwnerReferences(owner(sts)).endMetadata()
                .withSpec(sts.getSpec().getTemplate().getSpec())
                .editSpec().withHostname(podName).withSubdomain(sts.getSpec().getServiceName()).withNodeName(nodeFor(ordinal)).endSpec()
                .withNewStatus().withPhase("Pending").endStatus()
                .build();
        List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>(pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes());
        if (sts.getSpec().getVolumeClaimTemplates() != null) {
            for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
                volumes.add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(t.getMetadata().getName())
                        .withNewPersistentVolumeClaim().withClaimName(t.getMetadata().getName() + "-" + podName).endPersistentVolumeClaim().build());
            }
        }
        pod.getSpec().setVolumes(volumes);
        return pod;
    }

    /**
     * Removes the local directory of every claim that no longer exists (deleted by the operator, or by the API
     * server's garbage collector with its StatefulSet), as a volume provisioner with reclaim policy Delete would.
     */
    private void releaseVolumes() {
        Path volumes = kubelet.claimDir("x", "x").getParent().getParent();
        if (!Files.isDirectory(volumes)) {
            return;
        }
        Set<String> claims = new HashSet<>();
        client.persistentVolumeClaims().inAnyNamespace().list().getItems()
                .forEach(c -> claims.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()));
        try (Stream<Path> namespaces = Files.list(volumes)) {
            for (Path ns : namespaces.toList()) {
                try (Stream<Path> dirs = Files.list(ns)) {
                    for (Path dir : dirs.toList()) {
                        if (!claims.contains(ns.getFileName() + "/" + dir.getFileName())) {
                            LOG.infof("sandbox: releasing the volume of deleted claim %s/%s", ns.getFileName(), dir.getFileName());
                            LocalPostgres.deleteTree(dir);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debugf("sandbox: cannot list volumes: %s", e.toString());
        }
    }

    private static List<Pod> ownedPodsOf(KubernetesClient client, StatefulSet sts) {
        return client.pods().inNamespace(sts.getMetadata().getNamespace()).list().getItems().stream()
                .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> sts.getMetadata().getUid().equals(r.getUid())))
                .toList();
    }

    private List<Pod> ownedPods(StatefulSet sts) {
        return ownedPodsOf(client, sts);
    }

    private static int ordinal(Pod p) {
        String n = p.getMetadata().getName();
        return Integer.parseInt(n.substring(n.lastIndexOf('-') + 1));
    }

    private static OwnerReference owner(StatefulSet sts) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** Like the controller-revision-hash: changes when the pod template changes. */
    static String revision(StatefulSet sts) {
        try {
            String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(sts.getSpec().getTemplate());
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)), 0, 5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
