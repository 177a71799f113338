package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.StorageSpec;
import io.shopdb.operator.api.v1alpha1.StorageStatus;
import io.shopdb.operator.kube.DesiredState;


/**
 * Brings the Kubernetes objects of a managed cluster to their desired state. Each step writes only what
 * differs, and the return value says whether anything was written (useful for Events and tests).
 */
final class ManagedClusterResources {
    private final KubernetesClient client;
    /** The operator's agent image, for the wal-archiver sidecar and the restore init containers (see AgentImagePin). */
    private final String agentImage;
    /** The agent image the last apply built the instances with (status.agentImage). */
    private String agentImageUsed;
    private String agentImagePending;
    private StorageStatus storage;
    /** What the maintenance window is judged by. */
    private final java.time.Clock clock;

    ManagedClusterResources(KubernetesClient client) {
        this(client, null);
    }

    ManagedClusterResources(KubernetesClient client, String agentImage) {
        this(client, agentImage, java.time.Clock.systemUTC());
    }

    /** The cluster a major upgrade moved this one to: the -rw and -ro Services select its instances (null: this cluster's own). */
    private String servedBy;
    /** The target of a major upgrade of this cluster under way (status.upgradingTo), or null. */
    private String upgradingTo;

    ManagedClusterResources servedBy(String cluster, String upgradingTo) {
        this.servedBy = cluster;
        this.upgradingTo = upgradingTo;
        return this;
    }

    /**
     * A Service the upgrade's cutover moved to its target stays there, also before this cluster's status says so: the
     * Service read here and written with its resourceVersion, so a move between the two makes the write fail, not undo it.
     */
    private void keepUpgradeTarget(io.fabric8.kubernetes.api.model.Service existing, io.fabric8.kubernetes.api.model.Service desired) {
        if (io.shopdb.operator.access.ClusterServices.selects(existing, upgradingTo)) {
            desired.getSpec().setSelector(existing.getSpec().getSelector());
        }
    }

    ManagedClusterResources(KubernetesClient client, String agentImage, java.time.Clock clock) {
        this.client = client;
        this.agentImage = agentImage;
        this.clock = clock;
    }

    boolean apply(PostgresCluster c) {
        return apply(c, null, null, new ClusterObjects.Declared(ClusterNames.pod(c, 0), false));
    }

    /**
     * {@code restore}: the cluster starts from a physical backup (init container). {@code source}: the cluster the
     * backup was taken of; its superuser and replication passwords are the ones inside the restored data, so
     * the new cluster's Secrets are created with them (only when they do not exist yet).
     */
    boolean apply(PostgresCluster c, InstanceSetBuilder.Restore restore, PostgresCluster source, ClusterObjects.Declared declared) {
        String ns = c.getMetadata().getNamespace();
        char[] superuser = source == null ? null : ClusterCredentials.read(client, ns, ClusterNames.superuserSecret(source), "password");
        char[] replication = source == null ? null : ClusterCredentials.read(client, ns, ClusterNames.replicationSecret(source), "password");
        boolean wrote = ClusterCredentials.ensure(client, c, ClusterNames.superuserSecret(c), ClusterNames.SUPERUSER, superuser);
        wrote |= ClusterCredentials.ensure(client, c, ClusterNames.replicationSecret(c), ClusterNames.REPLICATION_USER, replication);
        wrote |= changed(DesiredState.apply(client, c, ClusterObjects.config(c, declared)));
        wrote |= changed(DesiredState.apply(client, c, ClusterObjects.headless(c)));
        wrote |= changed(DesiredState.apply(client, c, io.shopdb.operator.access.ClusterServices.role(c, ClusterNames.writeService(c), ClusterNames.ROLE_PRIMARY, servedBy),
                this::keepUpgradeTarget));
        wrote |= changed(DesiredState.apply(client, c, io.shopdb.operator.access.ClusterServices.role(c, ClusterNames.readService(c), ClusterNames.ROLE_REPLICA, servedBy),
                this::keepUpgradeTarget));
        // volumeClaimTemplates and podManagementPolicy are immutable on a StatefulSet: keep the existing ones
        // (a cluster made by an older operator keeps OrderedReady); volumes grow below.
        StatefulSet existing = client.apps().statefulSets().inNamespace(ns).withName(ClusterNames.statefulSet(c)).get();
        String operatorImage = restore != null ? restore.agentImage() : agentImage;
        var instances = AgentImagePin.forInstances(c, restore, existing, operatorImage, clock.instant());
        agentImageUsed = instances.image();
        agentImagePending = instances.image().equals(operatorImage) ? null : operatorImage;
        wrote |= changed(DesiredState.applyAgainst(client, c, instances.workload(),
                existing, (StatefulSet before, StatefulSet desired) -> {
                    desired.getSpec().setVolumeClaimTemplates(before.getSpec().getVolumeClaimTemplates());
                    desired.getSpec().setPodManagementPolicy(before.getSpec().getPodManagementPolicy());
                }));
        if (c.getSpec().getInstances() > 1) {
            wrote |= changed(DesiredState.apply(client, c, ClusterObjects.disruptionBudget(c)));
            wrote |= changed(DesiredState.apply(client, c, ClusterObjects.primaryDisruptionBudget(c)));
        } else {
            wrote |= DesiredState.absent(client, ClusterObjects.disruptionBudget(c));
            wrote |= DesiredState.absent(client, ClusterObjects.primaryDisruptionBudget(c));
        }
        wrote |= growVolumes(c, VolumeAutoGrow.askedSize(c));
        return wrote;
    }

    /** The agent image the last {@link #apply} built the instances with. */
    String agentImageUsed() {
        return agentImageUsed;
    }

    /** The operator's agent image when the last {@link #apply} kept another pinned; null when they run it. */
    String agentImagePending() {
        return agentImagePending;
    }


    /**
     * Requests the larger size on every existing volume. The API server refuses it (Forbidden) unless the claim's
     * StorageClass allows volume expansion: that is reported ({@link #storage()}), not retried as an error, and the
     * rest of the cluster goes on. A volume whose capacity is below its request is still growing.
     */
    boolean growVolumes(PostgresCluster c, String size) {
        Quantity wanted = new Quantity(size);
        storage = new StorageStatus();
        storage.setSize(size);
        boolean wrote = false;
        for (int i = 0; i < c.getSpec().getInstances(); i++) {
            String name = "data-" + ClusterNames.pod(c, i);
            PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(c.getMetadata().getNamespace()).withName(name).get();
            if (pvc == null || pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null) {
                continue;
            }
            Quantity current = pvc.getSpec().getResources().getRequests().get("storage");
            if (current != null && Quantity.getAmountInBytes(wanted).compareTo(Quantity.getAmountInBytes(current)) > 0) {
                pvc.getSpec().getResources().getRequests().put("storage", wanted);
                try {
                    client.resource(pvc).update();
                    wrote = true;
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != 403 && e.getCode() != 422) {
                        throw e;
                    }
                    storage.setProblem(io.shopdb.operator.status.Messages.bounded("cannot grow " + name + " from " + current + " to " + size
                            + " (StorageClass " + pvc.getSpec().getStorageClassName() + "): " + (e.getStatus() != null && e.getStatus().getMessage() != null
                            ? e.getStatus().getMessage() : e.getMessage()), 1024));
                    continue;
                }
            }
            if (growing(pvc)) {
                storage.getResizing().add(name);
            }
        }
        return wrote;
    }

    /** A claim whose capacity is below its request, or with a resize condition (Resizing, FileSystemResizePending). */
    static boolean growing(PersistentVolumeClaim pvc) {
        if (pvc.getStatus() == null) {
            return false;
        }
        boolean condition = pvc.getStatus().getConditions() != null && pvc.getStatus().getConditions().stream()
                .anyMatch(k -> "True".equals(k.getStatus()) && ("Resizing".equals(k.getType()) || "FileSystemResizePending".equals(k.getType())));
        Quantity capacity = pvc.getStatus().getCapacity() == null ? null : pvc.getStatus().getCapacity().get("storage");
        Quantity request = pvc.getSpec().getResources().getRequests().get("storage");
        return condition || capacity != null && request != null
                && Quantity.getAmountInBytes(capacity).compareTo(Quantity.getAmountInBytes(request)) < 0;
    }

    /** The volumes as the last {@link #apply} left them (status.storage). */
    StorageStatus storage() {
        return storage;
    }

    private static boolean changed(DesiredState.Result result) {
        return result != DesiredState.Result.NOOP;
    }
}
