package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sandbox's nodes on a real control plane (kube-apiserver, kube-controller-manager and kube-scheduler do the rest):
 * three Nodes with capacity, an address and a Ready condition, kept alive as a kubelet keeps its node (the Lease in
 * kube-node-lease renewed every 10 s, the status heartbeat every minute) unless {@link #lose} stopped one, so the
 * node lifecycle controller sees a lost node as it would; and a default StorageClass {@value #STORAGE_CLASS} whose
 * claims it provisions, as an external provisioner does, with a PersistentVolume bound to the claim (the data lives
 * in the runner's pod directories, as in the embedded sandbox).
 */
final class RealNodes {
    private static final Logger LOG = Logger.getLogger(RealNodes.class);
    static final String STORAGE_CLASS = "shopdb-local";
    static final String PROVISIONER = "sandbox.shopdb.io/local";
    static final List<String> NAMES = List.of("sandbox-node-0", "sandbox-node-1", "sandbox-node-2");
    static final Duration LEASE_RENEWAL = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final Set<String> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Instant renewed = Instant.EPOCH;
    private Instant heartbeat = Instant.EPOCH;
    private boolean registered;

    RealNodes(KubernetesClient client) {
        this.client = client;
    }

    Set<String> names() {
        return Set.copyOf(NAMES);
    }

    /** The node stops renewing its Lease (its kubelet is gone): after the grace period the controller marks it Unknown. */
    void lose(String node) {
        lost.add(node);
    }

    void restore(String node) {
        lost.remove(node);
        heartbeat = Instant.EPOCH;
    }

    boolean isLost(String node) {
        return lost.contains(node);
    }

    void sync() {
        if (!registered) {
            register();
        }
        Instant now = Instant.now();
        if (Duration.between(renewed, now).compareTo(LEASE_RENEWAL) >= 0) {
            renewed = now;
            for (String node : NAMES) {
                if (!lost.contains(node)) {
                    renewLease(node, now);
                }
            }
        }
        if (Duration.between(heartbeat, now).compareTo(Duration.ofMinutes(1)) >= 0) {
            heartbeat = now;
            for (String node : NAMES) {
                if (!lost.contains(node)) {
                    client.nodes().withName(node).editStatus(n -> {
                        n.getStatus().setConditions(conditions(now));
                        return n;
                    });
                }
            }
        }
        provision();
    }

    private void register() {
        Instant now = Instant.now();
        for (String node : NAMES) {
            if (client.nodes().withName(node).get() == null) {
                Map<String, Quantity> capacity = Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"), "pods", new Quantity("110"),
                        "ephemeral-storage", new Quantity("100Gi"));
                client.resource(new NodeBuilder().withNewMetadata().withName(node)
                        .addToLabels("kubernetes.io/hostname", node).addToLabels("kubernetes.io/os", "linux")
                        .addToLabels("kubernetes.io/arch", "amd64").addToLabels("topology.kubernetes.io/zone", "sandbox-" + node.charAt(node.length() - 1))
                        .endMetadata()
                        .withNewStatus().withCapacity(capacity).withAllocatable(capacity).withConditions(conditions(now))
                        .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                        .addNewAddress().withType("Hostname").withAddress(node).endAddress()
                        .withNewNodeInfo().withKubeletVersion("v1.37.2-sandbox").withOperatingSystem("linux").withArchitecture("amd64")
                        .withContainerRuntimeVersion("shopdb-sandbox://local-processes").endNodeInfo()
                        .endStatus().build()).create();
                LOG.infof("sandbox: registered node %s", node);
            }
        }
        if (client.storage().v1().storageClasses().withName(STORAGE_CLASS).get() == null) {
            client.resource(new StorageClassBuilder().withNewMetadata().withName(STORAGE_CLASS)
                    .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                    .withProvisioner(PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
                    .withAllowVolumeExpansion(true).build()).create();
        }
        registered = true;
    }

    private static List<NodeCondition> conditions(Instant now) {
        String t = now.toString();
        return List.of(
                new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                        .withMessage("the sandbox runs this node's pods as local processes").withLastHeartbeatTime(t).withLastTransitionTime(t).build(),
                new NodeConditionBuilder().withType("MemoryPressure").withStatus("False").withReason("KubeletHasSufficientMemory")
                        .withLastHeartbeatTime(t).withLastTransitionTime(t).build(),
                new NodeConditionBuilder().withType("DiskPressure").withStatus("False").withReason("KubeletHasNoDiskPressure")
                        .withLastHeartbeatTime(t).withLastTransitionTime(t).build(),
                new NodeConditionBuilder().withType("PIDPressure").withStatus("False").withReason("KubeletHasSufficientPID")
                        .withLastHeartbeatTime(t).withLastTransitionTime(t).build());
    }

    private void renewLease(String node, Instant now) {
        var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
        Lease existing = leases.withName(node).get();
        if (existing == null) {
            leases.resource(new LeaseBuilder().withNewMetadata().withName(node).withNamespace("kube-node-lease").endMetadata()
                    .withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(40).withRenewTime(now.atZone(ZoneOffset.UTC)).endSpec()
                    .build()).create();
        } else {
            existing.getSpec().setRenewTime(now.atZone(ZoneOffset.UTC));
            leases.resource(existing).update();
        }
    }

    /** Claims of the sandbox's class, still unbound: a PersistentVolume of their size, bound to them; released ones go. */
    private void provision() {
        for (PersistentVolumeClaim claim : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) {
            String className = claim.getSpec().getStorageClassName();
            if (!STORAGE_CLASS.equals(className) || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()
                    || claim.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String name = "pvc-" + claim.getMetadata().getUid();
            if (client.persistentVolumes().withName(name).get() != null) {
                continue;
            }
            Quantity size = claim.getSpec().getResources().getRequests().get("storage");
            client.resource(new PersistentVolumeBuilder().withNewMetadata().withName(name)
                    .addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER).endMetadata()
                    .withNewSpec().withCapacity(Map.of("storage", size)).withAccessModes(claim.getSpec().getAccessModes())
                    .withStorageClassName(STORAGE_CLASS).withPersistentVolumeReclaimPolicy("Delete")
                    .withNewHostPath().withPath("/var/lib/shopdb-sandbox/" + name).withType("DirectoryOrCreate").endHostPath()
                    .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                    .withUid(claim.getMetadata().getUid()).endClaimRef()
                    .endSpec().build()).create();
            LOG.infof("sandbox: provisioned %s for claim %s/%s", name, claim.getMetadata().getNamespace(), claim.getMetadata().getName());
        }
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            if (STORAGE_CLASS.equals(pv.getSpec().getStorageClassName()) && pv.getStatus() != null
                    && ("Released".equals(pv.getStatus().getPhase()) || "Failed".equals(pv.getStatus().getPhase()))) {
                client.resource(pv).delete();
            }
        }
    }
}
