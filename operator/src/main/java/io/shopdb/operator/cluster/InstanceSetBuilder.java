package io.shopdb.operator.cluster;

import io.shopdb.operator.access.WalArchiveFolders;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.access.ClusterNames;
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
import java.util.ArrayList;
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
    static final String GUARD = readResource("guard.sh");

    private InstanceSetBuilder() {}

    /** The WAL handoff between archive_command and the wal-archiver sidecar, on the data volume (it survives restarts). */
    public static final String WAL_HANDOFF = DATA_MOUNT + "/wal-handoff";
    /** Archived WAL fetched for a point-in-time recovery, and the recovery settings bootstrap.sh passes while recovering. */
    public static final String WAL_RESTORE = DATA_MOUNT + "/wal-restore";
    public static final String RECOVERY_OPTIONS = DATA_MOUNT + "/recovery.conf";
    /** The WAL archive's volume and mount in an instance pod (the backup's own is AgentContainers.MOUNT_BACKUP). */
    static final String ARCHIVE_VOLUME = "wal-archive";
    static final String ARCHIVE_KEYS_VOLUME = "wal-archive-keys";
    static final String ARCHIVE_MOUNT = "/wal-archive";

    /** Where an agent container finds a WAL archive: its PVC's volume and mount, and its keys' volume. */
    private record ArchiveVolumes(String volume, String mount, String keysVolume) {}

    /** The cluster's own archive (spec.walArchive, or the one a recovery reads). */
    private static final ArchiveVolumes OWN_ARCHIVE = new ArchiveVolumes(ARCHIVE_VOLUME, ARCHIVE_MOUNT, ARCHIVE_KEYS_VOLUME);
    /** A standby cluster's trust in its source's servers: the source's ca.crt only (spec.standby). */
    static final String SOURCE_CA_VOLUME = "source-ca";
    static final String SOURCE_CA_MOUNT = "/etc/shopdb-source-ca";
    /** A standby's view of its source's WAL archive (spec.standby.archive), read-only, and where restore-wal.sh meets the wal-fetcher. */
    static final String SOURCE_ARCHIVE_VOLUME = "source-wal-archive";
    static final String SOURCE_ARCHIVE_KEYS_VOLUME = "source-wal-archive-keys";
    static final String SOURCE_ARCHIVE_MOUNT = "/source-wal-archive";
    private static final ArchiveVolumes SOURCE_ARCHIVE = new ArchiveVolumes(SOURCE_ARCHIVE_VOLUME, SOURCE_ARCHIVE_MOUNT, SOURCE_ARCHIVE_KEYS_VOLUME);
    public static final String WAL_FETCH = DATA_MOUNT + "/wal-fetch";

    /** Where ordinal 0's first data directory comes from when spec.bootstrap.fromBackup is set; {@code recovery} for PITR. */
    public record Restore(String backupId, BackupTarget target, String agentImage, Recovery recovery) {
        public Restore(String backupId, BackupTarget target, String agentImage) {
            this(backupId, target, agentImage, null);
        }

        /** The same restore with the init containers on {@code image} (the cluster's pinned agent image). */
        public Restore withAgentImage(String image) {
            return new Restore(backupId, target, image, recovery);
        }
    }

    /** A point-in-time recovery: the source's WAL archive and at most one target (none: the end of the archive). */
    public record Recovery(BackupTarget archive, String archivePrefix, String targetTime, String targetLsn, String targetXid, String targetName) {}

    public static StatefulSet build(PostgresCluster c) {
        return build(c, null);
    }

    public static StatefulSet build(PostgresCluster c, Restore restore) {
        return build(c, restore, restore == null ? null : restore.agentImage());
    }

    /**
     * With {@code restore}, the pods get an init container that unpacks the physical backup into an empty
     * PGDATA (ordinal 0 only; a non-empty PGDATA is left alone, so it runs once per volume).
     */
    public static StatefulSet build(PostgresCluster c, Restore restore, String agentImage) {
        var spec = c.getSpec();
        Map<String, String> effective = PostgresParameters.forCluster(c);
        String restartHash = sha256(PostgresParameters.restartParameters(effective).toString());
        ReclaimPolicy reclaim = spec.getReclaimPolicy() == null ? ReclaimPolicy.Retain : spec.getReclaimPolicy();
        return new StatefulSetBuilder()
                .withMetadata(ClusterObjects.meta(c, ClusterNames.statefulSet(c)))
                .withNewSpec()
                .withReplicas(spec.isHibernating() ? 0 : spec.getInstances()) // hibernation keeps the claims: the same data wakes
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
                // the guard sidecar stops a postmaster whose lease ran out (guard.sh)
                .withShareProcessNamespace(true)
                .withTerminationGracePeriodSeconds(60L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(POSTGRES_UID)
                .withRunAsGroup(POSTGRES_UID)
                .withFsGroup(POSTGRES_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withAffinity(InstanceSpread.affinity(c))
                .withInitContainers(initContainers(c, restore))
                .withContainers(containers(c, restore, agentImage))
                .addAllToVolumes(storageVolumes(c, restore))
                .addNewVolume().withName("config").withNewConfigMap().withName(ClusterNames.configMap(c)).endConfigMap().endVolume()
                .addNewVolume().withName("tls").withNewSecret().withSecretName(ClusterTls.serverSecret(c))
                .withDefaultMode(ClusterTls.FILE_MODE).endSecret().endVolume()
                .addAllToVolumes(sourceCaVolumes(c))
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
        addIfPresent(mounts, AgentContainers.keysMount(restore.target(), AgentContainers.KEYS_VOLUME));
        return AgentContainers.container("restore", restore.agentImage(), request, env, mounts);
    }

    private static List<Container> initContainers(PostgresCluster c, Restore restore) {
        List<Container> out = new ArrayList<>();
        if (restore != null) {
            out.add(restoreContainer(c, restore));
            if (restore.recovery() != null) {
                out.add(recoverContainer(restore));
            }
        }
        return out;
    }

    private static List<Container> containers(PostgresCluster c, Restore restore, String agentImage) {
        List<Container> out = new ArrayList<>(List.of(container(c, restore), guardContainer(c)));
        if (c.getSpec().getWalArchive() != null) {
            out.add(archiverContainer(c, agentImage));
        }
        if (StandbyArchive.of(c) != null) {
            out.add(fetcherContainer(c, StandbyArchive.of(c), agentImage));
        }
        return out;
    }

    /** The backup's PVC (read-only, restore) and the WAL archive's PVC (read-write: the sidecar archives and prunes). */
    private static List<io.fabric8.kubernetes.api.model.Volume> storageVolumes(PostgresCluster c, Restore restore) {
        List<io.fabric8.kubernetes.api.model.Volume> out = new ArrayList<>();
        if (restore != null && restore.target().getPvc() != null) {
            out.add(AgentContainers.storageVolume(restore.target(), true));
        }
        if (restore != null) {
            addIfPresent(out, AgentContainers.keysVolume(restore.target(), AgentContainers.KEYS_VOLUME));
        }
        BackupTarget archive = c.getSpec().getWalArchive() != null ? c.getSpec().getWalArchive().getTarget()
                : restore != null && restore.recovery() != null ? restore.recovery().archive() : null;
        if (archive != null) {
            addArchiveVolumes(out, archive, OWN_ARCHIVE, c.getSpec().getWalArchive() == null);
        }
        StandbyArchive source = StandbyArchive.of(c);
        if (source != null) {
            addArchiveVolumes(out, source.target(), SOURCE_ARCHIVE, true);
        }
        return out;
    }

    /** An archive's PVC (when it is one) and its keys (when it is encrypted) as pod volumes. */
    private static void addArchiveVolumes(List<io.fabric8.kubernetes.api.model.Volume> out, BackupTarget archive, ArchiveVolumes at,
                                          boolean readOnly) {
        if (archive.getPvc() != null) {
            out.add(AgentContainers.storageVolume(archive, at.volume(), readOnly));
        }
        addIfPresent(out, AgentContainers.keysVolume(archive, at.keysVolume()));
    }

    /**
     * A standby's view of its source's CA: only ca.crt of the source's server Secret (it holds the CA certificate of
     * whichever CA signs the source, its own or the user's), never a key. Kept after a promotion (spec.standby still
     * there, enabled: false), so promoting changes no pod and demoting again needs only the restart it makes anyway.
     */
    private static List<io.fabric8.kubernetes.api.model.Volume> sourceCaVolumes(PostgresCluster c) {
        if (c.getSpec().getStandby() == null) {
            return List.of();
        }
        return List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(SOURCE_CA_VOLUME).withNewSecret()
                .withSecretName(c.getSpec().getStandby().getSource().getName() + "-server-tls")
                .withOptional(true) // read only while it follows the source: a promoted cluster outlives its former source
                .addNewItem().withKey(io.shopdb.operator.tls.ClusterTlsSecrets.CA_CERT).withPath("ca.crt").endItem()
                .withDefaultMode(ClusterTls.FILE_MODE).endSecret().build());
    }

    private static <T> void addIfPresent(List<T> list, T item) {
        if (item != null) {
            list.add(item);
        }
    }

    /**
     * PITR, after the restore container: {@code agent prepare-recovery} fetches the source's archived WAL (each file
     * checked against its SHA-256) and writes recovery.signal and the recovery settings bootstrap.sh passes to postgres.
     * When the new cluster archives to the same PVC, the archive volume is the read-write one.
     */
    private static Container recoverContainer(Restore restore) {
        Recovery r = restore.recovery();
        var request = new AgentRequest.PrepareRecovery(AgentContainers.storage(r.archive()).withSpoolDir("/tmp"), r.archivePrefix(),
                "$(PGDATA)", "$(SHOPDB_WAL_RESTORE)", "$(SHOPDB_RECOVERY_OPTIONS)", r.targetTime(), r.targetLsn(), r.targetXid(), r.targetName(),
                "$(POD_NAME)");
        // paths through env, as everywhere in pod specs: the kubelet (and the sandbox) expands $(VAR) in arguments
        List<EnvVar> env = archiveEnv(r.archive(), OWN_ARCHIVE, plain("SHOPDB_WAL_RESTORE", WAL_RESTORE), plain("SHOPDB_RECOVERY_OPTIONS", RECOVERY_OPTIONS));
        return AgentContainers.container("recover", restore.agentImage(), request, env, archiveMounts(r.archive(), OWN_ARCHIVE, true));
    }

    /**
     * The wal-archiver sidecar (agent image, a long-running {@code agent wal-archiver}): ships what PostgreSQL marks
     * ready and answers archive-wal.sh through the handoff folder on the data volume; on the declared primary it also
     * applies retention (wal-keep-from in the mounted configuration). Why a sidecar and not the agent in
     * archive_command: the instance image has no JVM, and a JVM start per 16 MiB file is too slow (docs/design-notes.md).
     */
    private static Container archiverContainer(PostgresCluster c, String agentImage) {
        var wal = c.getSpec().getWalArchive();
        var request = new AgentRequest.WalArchiver(AgentContainers.storage(wal.getTarget()).withSpoolDir("/tmp"),
                WalArchiveFolders.of(c), "$(PGDATA)", "$(SHOPDB_WAL_HANDOFF)", wal.getCompression(), "$(SHOPDB_CONFIG_DIR)",
                "$(POD_NAME)");
        List<EnvVar> env = archiveEnv(wal.getTarget(), OWN_ARCHIVE, plain("SHOPDB_WAL_HANDOFF", WAL_HANDOFF), plain("SHOPDB_CONFIG_DIR", CONFIG_MOUNT));
        List<VolumeMount> mounts = archiveMounts(wal.getTarget(), OWN_ARCHIVE, false);
        mounts.add(new VolumeMountBuilder().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).build());
        return AgentContainers.container("wal-archiver", agentImage, request, env, mounts);
    }

    /**
     * The wal-fetcher sidecar of a standby with spec.standby.archive (agent image, a long-running {@code agent wal-fetcher}):
     * answers restore-wal.sh, the primary's restore_command, with files of the source's archive. On every instance, so a
     * replica that becomes the standby's primary finds it; only the primary asks.
     */
    private static Container fetcherContainer(PostgresCluster c, StandbyArchive source, String agentImage) {
        var request = new AgentRequest.WalFetcher(AgentContainers.storage(source.target()).withSpoolDir("/tmp"), source.prefix(),
                "$(SHOPDB_WAL_FETCH)");
        List<EnvVar> env = archiveEnv(source.target(), SOURCE_ARCHIVE, plain("SHOPDB_WAL_FETCH", WAL_FETCH));
        return AgentContainers.container("wal-fetcher", agentImage, request, env, archiveMounts(source.target(), SOURCE_ARCHIVE, true));
    }

    /** The env of an agent container working on a WAL archive: pod name, PGDATA, {@code more}, then the storage. */
    private static List<EnvVar> archiveEnv(BackupTarget archive, ArchiveVolumes at, EnvVar... more) {
        List<EnvVar> env = new ArrayList<>(List.of(podName(), plain("PGDATA", DATA_MOUNT + "/pgdata")));
        env.addAll(List.of(more));
        env.addAll(AgentContainers.storageEnv(archive, at.mount(), at.keysVolume()));
        return env;
    }

    /** Its mounts: the data volume, /tmp, the archive's PVC when it is one, and its keys. */
    private static List<VolumeMount> archiveMounts(BackupTarget archive, ArchiveVolumes at, boolean readOnly) {
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMountBuilder().withName("data").withMountPath(DATA_MOUNT).build(),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build()));
        if (archive.getPvc() != null) {
            mounts.add(AgentContainers.storageMount(at.volume(), at.mount(), readOnly));
        }
        addIfPresent(mounts, AgentContainers.keysMount(archive, at.keysVolume()));
        return mounts;
    }

    private static EnvVar podName() {
        return new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build();
    }

    /**
     * The image the instance's server runs: spec.image, else the image catalog's for the major (status.catalogImage, as
     * the reconciler read it from spec.imageCatalogRef), else postgres:{postgresVersion}.
     */
    static String instanceImage(PostgresCluster c) {
        var spec = c.getSpec();
        if (spec.getImage() != null) {
            return spec.getImage();
        }
        String fromCatalog = spec.getImageCatalogRef() == null || c.getStatus() == null ? null : c.getStatus().getCatalogImage();
        return fromCatalog != null ? fromCatalog : "postgres:" + spec.getPostgresVersion();
    }

    private static Container container(PostgresCluster c, Restore restore) {
        var spec = c.getSpec();
        return new ContainerBuilder()
                .withName("postgres")
                .withImage(instanceImage(c))
                .withCommand("/bin/sh", "-c", BOOTSTRAP)
                .withEnv(env(c, restore))
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
                .addAllToVolumeMounts(c.getSpec().getStandby() == null ? List.of()
                        : List.of(new VolumeMountBuilder().withName(SOURCE_CA_VOLUME).withMountPath(SOURCE_CA_MOUNT).withReadOnly(true).build()))
                .build();
    }

    /**
     * The primary guard (guard.sh), in the instance image: it fences a primary whose lease ran out. Its lease comes
     * from the mounted configuration (ClusterObjects.GUARD_LEASE_KEY; 0: off), so it needs the data and socket
     * volumes, the configuration and the superuser's password for its local login, and nothing else.
     */
    private static Container guardContainer(PostgresCluster c) {
        return new ContainerBuilder()
                .withName("guard")
                .withImage(instanceImage(c))
                .withCommand("/bin/sh", "-c", GUARD)
                .withEnv(new EnvVarBuilder().withName("PGDATA").withValue(DATA_MOUNT + "/pgdata").build(),
                        plain("PGPORT", String.valueOf(ClusterNames.PORT)),
                        plain("SHOPDB_CONFIG_DIR", CONFIG_MOUNT),
                        plain("SHOPDB_RUN_DIR", RUN_MOUNT),
                        secret("POSTGRES_PASSWORD", ClusterNames.superuserSecret(c), "password"))
                .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("10m"))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("16Mi")).endResources()
                .withSecurityContext(PodSecurity.restrictedContainer())
                .addNewVolumeMount().withName("data").withMountPath(DATA_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("run").withMountPath(RUN_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .build();
    }

    /** The contract between the pod spec and bootstrap.sh; the sandbox maps paths and hosts of these too. */
    private static List<EnvVar> env(PostgresCluster c, Restore restore) {
        List<EnvVar> env = new ArrayList<>(base(c));
        if (c.getSpec().getWalArchive() != null) {
            env.add(plain("SHOPDB_WAL_HANDOFF", WAL_HANDOFF));
        }
        if (c.getSpec().getStandby() != null) {
            // whether the primary follows the source is in the mounted configuration (ClusterObjects.STANDBY_KEY):
            // promoting changes no pod; the source's address and CA stay
            env.add(plain("SOURCE_HOST", c.getSpec().getStandby().getSource().getName() + "-rw"));
            env.add(plain("SOURCE_PORT", String.valueOf(ClusterNames.PORT)));
            env.add(plain("SHOPDB_SOURCE_CA", SOURCE_CA_MOUNT + "/ca.crt"));
            if (StandbyArchive.of(c) != null) {
                env.add(plain("SHOPDB_WAL_FETCH", WAL_FETCH)); // restore-wal.sh meets the wal-fetcher sidecar there
            }
        }
        if (restore != null && restore.recovery() != null) {
            env.add(plain("SHOPDB_RECOVERY_OPTIONS", RECOVERY_OPTIONS));
            env.add(plain("SHOPDB_WAL_RESTORE", WAL_RESTORE));
        }
        return env;
    }

    private static List<EnvVar> base(PostgresCluster c) {
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
        return io.shopdb.operator.sql.Hashes.sha256Hex(text, 8);
    }

    static String readResource(String name) {
        try (InputStream in = InstanceSetBuilder.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
