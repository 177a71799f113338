package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
import java.util.function.Supplier;

/**
 * The two kube-controller-manager loops the sandbox needs, reduced to what this operator uses: the
 * StatefulSet controller (OrderedReady or Parallel pods, PVCs from claim templates, RollingUpdate from the
 * highest ordinal or OnDelete, scale down, PVC retention policy), the Job controller ({@link LocalJobs}) and the garbage collector
 * (objects whose owner is gone are deleted).
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

    public synchronized void sync() {
        for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            syncStatefulSet(sts);
        }
        new LocalJobs(client).sync();
        collectGarbage();
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
                    .withNewStatus().withPhase("Bound").endStatus()
                    .build()).create();
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
                .editSpec().withHostname(podName).withSubdomain(sts.getSpec().getServiceName()).endSpec()
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

    /** Deletes what lost its owner, repeatedly, so chains (cluster → StatefulSet → Pod) unwind. */
    private void collectGarbage() {
        Set<String> uids = new HashSet<>();
        List<HasMetadata> candidates = new ArrayList<>();
        List<Supplier<List<? extends HasMetadata>>> kinds = List.of(
                () -> client.apps().statefulSets().inAnyNamespace().list().getItems(),
                () -> client.pods().inAnyNamespace().list().getItems(),
                () -> client.services().inAnyNamespace().list().getItems(),
                () -> client.configMaps().inAnyNamespace().list().getItems(),
                () -> client.secrets().inAnyNamespace().list().getItems(),
                () -> client.persistentVolumeClaims().inAnyNamespace().list().getItems(),
                () -> client.resources(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class).inAnyNamespace().list().getItems(),
                () -> client.batch().v1().jobs().inAnyNamespace().list().getItems());
        for (var kind : kinds) {
            for (HasMetadata o : kind.get()) {
                uids.add(o.getMetadata().getUid());
                if (o.getMetadata().getOwnerReferences() != null && !o.getMetadata().getOwnerReferences().isEmpty()) {
                    candidates.add(o);
                }
            }
        }
        // owners of our own kinds (a role owning its connection Secret): one list per kind and namespace, not one get per owner
        Map<String, Set<String>> customOwners = new HashMap<>();
        for (HasMetadata o : candidates) {
            for (OwnerReference ref : o.getMetadata().getOwnerReferences()) {
                boolean exists = uids.contains(ref.getUid()) || customOwners.computeIfAbsent(
                        ref.getApiVersion() + " " + ref.getKind() + " " + o.getMetadata().getNamespace(), k -> customUids(o, ref)).contains(ref.getUid());
                if (!exists) {
                    LOG.infof("sandbox: garbage-collecting %s %s/%s", o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                    client.resource(o).delete();
                    if (o instanceof PersistentVolumeClaim pvc) {
                        LocalPostgres.deleteTree(kubelet.claimDir(pvc.getMetadata().getNamespace(), pvc.getMetadata().getName()));
                    }
                    break;
                }
            }
        }
    }

    private Set<String> customUids(HasMetadata o, OwnerReference ref) {
        if (!ref.getApiVersion().contains("/") || ref.getApiVersion().startsWith("apps/") || ref.getApiVersion().startsWith("batch/")) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        client.genericKubernetesResources(ref.getApiVersion(), ref.getKind()).inNamespace(o.getMetadata().getNamespace())
                .list().getItems().forEach(r -> out.add(r.getMetadata().getUid()));
        return out;
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
