package io.shopdb.operator.cluster;

import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.kube.AgentContainers;
import io.shopdb.operator.kube.PodSecurity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.api.v1alpha1.StorageSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The desired StatefulSet of a managed cluster: one pod per instance running bootstrap.sh, a volume per
 * pod, and a security context that passes the Pod Security "restricted" profile. Which instance is the
 * primary is not in the pod spec: bootstrap.sh reads it from the ConfigMap (see ClusterObjects.config).
 */
public final class InstanceSetBuilder {
    /** Pod-template annotation: a hash of the parameters that need a restart. Changing it rolls the pods. */
    public static final String RESTART_HASH = "shopdb.io/restart-parameters-hash";
    public static final String DATA_MOUNT = "/var/lib/postgresql/data";
    public static final String CONFIG_MOUNT = "/etc/shopdb";
    public static final String RUN_MOUNT = "/var/run/postgresql";
    /** uid/gid of the postgres user in the official images. */
    static final long POSTGRES_UID = 999L;
    static final String BOOTSTRAP = readResource("bootstrap.sh");

    private InstanceSetBuilder() {}

    /** Where ordinal 0's first data directory comes from when spec.bootstrap.fromBackup is set. */
    public record Restore(String backupId, BackupTarget target, String agentImage) {}

    public static StatefulSet build(PostgresCluster c) {
        return build(c, null);
    }

    /**
     * With {@code restore}, the pods get an init container that unpacks the physical backup into an empty
     * PGDATA (ordinal 0 only; a non-empty PGDATA is left alone, so it runs once per volume).
     */
    public static StatefulSet build(PostgresCluster c, Restore restore) {
        var spec = c.getSpec();
        Map<String, String> effective = PostgresParameters.forCluster(c);
        String restartHash = sha256(PostgresParameters.restartParameters(effective).toString());
        ReclaimPolicy reclaim = spec.getReclaimPolicy() == null ? ReclaimPolicy.Retain : spec.getReclaimPolicy();
        return new StatefulSetBuilder()
                .withMetadata(ClusterObjects.meta(c, ClusterNames.statefulSet(c)))
                .withNewSpec()
                .withReplicas(spec.getInstances())
                .withServiceName(ClusterNames.headlessService(c))
                // Parallel: a replica (re)starts while another instance is down; each finds the primary through -rw.
                .withPodManagementPolicy("Parallel")
                // OnDelete: the operator restarts pods itself, replicas first, then switches over, then the former primary.
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewSelector().withMatchLabels(ClusterNames.selector(c)).endSelector()
                .withNewPersistentVolumeClaimRetentionPolicy()
                .withWhenDeleted(reclaim.name())
                .withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(ClusterNames.labels(c))
                .withAnnotations(Map.of(RESTART_HASH, restartHash))
                .endMetadata()
                .withNewSpec()
                .withEnableServiceLinks(false)
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(60L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(POSTGRES_UID)
                .withRunAsGroup(POSTGRES_UID)
                .withFsGroup(POSTGRES_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withAffinity(InstanceSpread.affinity(c))
                .withInitContainers(restore == null ? List.of() : List.of(restoreContainer(c, restore)))
                .withContainers(container(c))
                .addAllToVolumes(restore == null || restore.target().getPvc() == null ? List.of()
                        : List.of(AgentContainers.storageVolume(restore.target(), true)))
                .addNewVolume().withName("config").withNewConfigMap().withName(ClusterNames.configMap(c)).endConfigMap().endVolume()
                .addNewVolume().withName("tls").withNewSecret().withSecretName(ClusterTls.serverSecret(c))
                .withDefaultMode(ClusterTls.FILE_MODE).endSecret().endVolume()
                .addNewVolume().withName("run").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(dataClaim(c))
                .endSpec()
                .build();
    }

    /**
     * The init container of a cluster bootstrapped from a backup: {@code agent unpack --if-empty} in the agent
     * image (kube/AgentContainers, shared with the agent Jobs), as the postgres uid of the pod, with the same
     * restricted security context. The storage is reached as an agent Job reaches it.
     */
    private static Container restoreContainer(PostgresCluster c, Restore restore) {
        var request = new AgentRequest.Unpack(AgentContainers.storage(restore.target()).withSpoolDir("/tmp"), restore.backupId(),
                "$(PGDATA)", true, "$(POD_NAME)");
        List<EnvVar> env = new ArrayList<>(List.of(
                new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build(),
                plain("PGDATA", DATA_MOUNT + "/pgdata")));
        env.addAll(AgentContainers.storageEnv(restore.target()));
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMountBuilder().withName("data").withMountPath(DATA_MOUNT).build(),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build()));
        if (restore.target().getPvc() != null) {
            mounts.add(AgentContainers.storageMount(true));
        }
        return AgentContainers.container("restore", restore.agentImage(), request, env, mounts);
    }

    private static Container container(PostgresCluster c) {
        var spec = c.getSpec();
        String image = spec.getImage() != null ? spec.getImage() : "postgres:" + spec.getPostgresVersion();
        return new ContainerBuilder()
                .withName("postgres")
                .withImage(image)
                .withCommand("/bin/sh", "-c", BOOTSTRAP)
                .withEnv(env(c))
                .addNewPort().withName("postgres").withContainerPort(ClusterNames.PORT).endPort()
                .withResources(spec.getResources())
                .withReadinessProbe(probe(5, 3))
                .withStartupProbe(probe(10, 360))
                .withLivenessProbe(probe(10, 6))
                .withNewLifecycle().withNewPreStop().withNewExec()
                .withCommand("/bin/sh", "-c", "pg_ctl -D \"$PGDATA\" stop -m fast -w -t 50")
                .endExec().endPreStop().endLifecycle()
                .withSecurityContext(PodSecurity.restrictedContainer())
                // postgres writes no termination message; the log's last lines (e.g. a FATAL at start) stand in for it
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount().withName("data").withMountPath(DATA_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tls").withMountPath(ClusterTls.MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("run").withMountPath(RUN_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .build();
    }

    /** The contract between the pod spec and bootstrap.sh; the sandbox maps paths and hosts of these too. */
    private static List<EnvVar> env(PostgresCluster c) {
        return List.of(
                new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build(),
                plain("PGDATA", DATA_MOUNT + "/pgdata"),
                plain("PGPORT", String.valueOf(ClusterNames.PORT)),
                plain("SHOPDB_CONFIG_DIR", CONFIG_MOUNT),
                plain("SHOPDB_RUN_DIR", RUN_MOUNT),
                plain("SHOPDB_TLS_DIR", ClusterTls.MOUNT),
                secret("POSTGRES_PASSWORD", ClusterNames.superuserSecret(c), "password"),
                plain("REPLICATION_USER", ClusterNames.REPLICATION_USER),
                secret("REPLICATION_PASSWORD", ClusterNames.replicationSecret(c), "password"),
                // replicas stream from the -rw Service, so a failover needs no re-pointing (the primary moves behind it)
                plain("PRIMARY_HOST", ClusterNames.writeService(c)),
                plain("PRIMARY_PORT", String.valueOf(ClusterNames.PORT)));
    }

    private static Probe probe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewExec().withCommand("/bin/sh", "-c", "pg_isready -q -h 127.0.0.1 -p \"$PGPORT\"").endExec()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .withTimeoutSeconds(5)
                .build();
    }

    private static PersistentVolumeClaim dataClaim(PostgresCluster c) {
        StorageSpec storage = c.getSpec().getStorage() != null ? c.getSpec().getStorage() : new StorageSpec();
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").withLabels(ClusterNames.labels(c)).endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storage.getStorageClass())
                .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
                .endSpec()
                .build();
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar secret(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(key, secret, false)
                .endValueFrom().build();
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readResource(String name) {
        try (InputStream in = InstanceSetBuilder.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
