package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.cluster.ClusterNames;
import io.shopdb.operator.kube.AgentContainers;
import io.shopdb.operator.kube.DesiredState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.kube.AgentContainers.fromSecret;
import static io.shopdb.operator.kube.AgentContainers.plain;

/**
 * Pure builders of the agent Jobs (backup, restore, verify, delete, import): the agent container of kube/AgentContainers
 * running an {@link AgentRequest}, in a pod that passes the Pod Security "restricted" profile (non-root, RuntimeDefault
 * seccomp, no service account token; emptyDirs for /tmp and the spool). Secrets reach the container only as
 * {@code secretKeyRef} env; hosts and paths go through env and {@code $(VAR)} in args, so the argument list holds no
 * secret and the sandbox can map them to local ones (see sandbox/PodProcess). Every Job has an
 * activeDeadlineSeconds: the request's timeout plus {@link #DEADLINE_MARGIN_SECONDS}, so the agent's own timeout
 * (which says what it was doing) fires first and the deadline catches a pod that hangs or never starts.
 */
public final class AgentJobs {
    public static final String MOUNT_SPOOL = "/spool";
    public static final String AGENT_LABEL = "shopdb.io/agent";
    public static final String OWNER_LABEL = "shopdb.io/owner";
    /** The owner's kind: each controller's Job and pod informers select only the Jobs of its own kind. */
    public static final String OWNER_KIND_LABEL = "shopdb.io/owner-kind";
    static final long DEADLINE_MARGIN_SECONDS = 300;
    /** Deadline of a Job whose request has no timeout (delete: storage calls only). */
    static final long STORAGE_ONLY_DEADLINE_SECONDS = 900;
    /** uid/gid of the user in the operator image (UBI OpenJDK images use 185); fsGroup makes the PVC writable. */
    static final long AGENT_UID = 185L;

    private AgentJobs() {}

    /** How the agent reaches the server: address, and where its credentials are (never the values). */
    public record Server(String host, int port, String maintenanceDb, String sslMode,
                         String userSecret, String userKey, String user, String passwordSecret, String passwordKey) {

        /** The request's view: address through $(DB_HOST)/$(DB_PORT) env, user and password from env too. */
        public AgentRequest.Server request() {
            return new AgentRequest.Server("$(DB_HOST)", "$(DB_PORT)", null, maintenanceDb, sslMode);
        }
    }

    /** The server of a cluster as a pod sees it: the -rw Service (managed) or the external address. */
    public static Server server(PostgresCluster c) {
        if (c.getSpec().isExternal()) {
            ExternalServerSpec ext = c.getSpec().getExternal();
            var ref = ext.getAdminSecretRef();
            // The agent's pod does not mount the server's CA yet: it encrypts (require) but cannot verify.
            String sslMode = io.shopdb.operator.cluster.ExternalTls.sslMode(ext);
            sslMode = io.shopdb.operator.cluster.ExternalTls.verifiesServer(sslMode) ? "require" : sslMode;
            return new Server(ext.getHost(), ext.getPort(), ext.getDatabase(), sslMode,
                    ref.getName(), ref.getUsernameKey() == null ? "username" : ref.getUsernameKey(), null,
                    ref.getName(), ref.getPasswordKey() == null ? "password" : ref.getPasswordKey());
        }
        return new Server(ClusterNames.writeService(c) + "." + c.getMetadata().getNamespace() + ".svc", ClusterNames.PORT,
                "postgres", "prefer", null, null, ClusterNames.SUPERUSER, ClusterNames.superuserSecret(c), "password");
    }

    /** The request's storage for a target, spooling to the Job's scratch volume. */
    public static AgentRequest.Storage storage(BackupTarget target) {
        return AgentContainers.storage(target).withSpoolDir("$(SPOOL_DIR)");
    }

    /** Where a backup lives, in words for status: pvc://claim/subPath/id or s3://bucket/prefix/id. */
    public static String location(BackupTarget target, String backupId) {
        if (target.getPvc() != null) {
            String sub = target.getPvc().getSubPath();
            return "pvc://" + target.getPvc().getClaimName() + "/" + (sub == null || sub.isEmpty() ? "" : sub + "/") + backupId;
        }
        String prefix = target.getS3().getPrefix();
        return "s3://" + target.getS3().getBucket() + "/" + (prefix == null || prefix.isEmpty() ? "" : prefix.replaceAll("/+$", "") + "/") + backupId;
    }

    /** activeDeadlineSeconds for a request: its timeout plus a margin. */
    static long deadlineSeconds(AgentRequest request) {
        Integer minutes = request instanceof AgentRequest.Backup b ? b.timeoutMinutes()
                : request instanceof AgentRequest.Restore r ? r.timeoutMinutes()
                : request instanceof AgentRequest.Verify v ? v.timeoutMinutes()
                : request instanceof AgentRequest.Import i ? i.timeoutMinutes() : null;
        return minutes == null ? STORAGE_ONLY_DEADLINE_SECONDS : minutes * 60L + DEADLINE_MARGIN_SECONDS;
    }

    /**
     * The Job. backoffLimit 0: retries are new Jobs made by the controller, which knows from the exit code whether a
     * retry can help. {@code server} null: a storage-only request (delete).
     */
    public static Job build(HasMetadata owner, String jobName, String image, Server server, BackupTarget target, AgentRequest request) {
        return build(owner, jobName, image, server, target, request, List.of());
    }

    /**
     * As above; {@code target} null for a request without backup storage (import), {@code moreEnv} the request's own
     * env (an import's source address and its credentials as secretKeyRefs).
     */
    public static Job build(HasMetadata owner, String jobName, String image, Server server, BackupTarget target, AgentRequest request,
                            List<EnvVar> moreEnv) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "shopdb-agent");
        labels.put("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY);
        labels.put(AGENT_LABEL, request.command());
        labels.put(OWNER_LABEL, owner.getMetadata().getName());
        labels.put(OWNER_KIND_LABEL, owner.getKind());

        List<EnvVar> env = new ArrayList<>();
        if (server != null) {
            env.add(plain("DB_HOST", server.host()));
            env.add(plain("DB_PORT", String.valueOf(server.port())));
            env.add(server.userSecret() == null ? plain("PGUSER", server.user()) : fromSecret("PGUSER", server.userSecret(), server.userKey()));
            env.add(fromSecret("PGPASSWORD", server.passwordSecret(), server.passwordKey()));
        }
        env.add(plain("SPOOL_DIR", MOUNT_SPOOL));
        if (target != null) {
            env.addAll(AgentContainers.storageEnv(target));
        }
        env.addAll(moreEnv);

        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        volumes.add(new VolumeBuilder().withName("spool").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("spool").withMountPath(MOUNT_SPOOL).build());
        if (target != null && target.getPvc() != null) {
            volumes.add(AgentContainers.storageVolume(target, false));
            mounts.add(AgentContainers.storageMount(false));
        }
        var container = AgentContainers.container("agent", image, request, env, mounts);
        container.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi")).build());

        return new JobBuilder()
                .withNewMetadata().withName(jobName).withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(DesiredState.ownerReference(owner)).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(deadlineSeconds(request))
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(AGENT_UID).withRunAsGroup(AGENT_UID).withFsGroup(AGENT_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(container).withVolumes(volumes)
                .endSpec().endTemplate().endSpec()
                .build();
    }

    /** A Job name from a resource name and a suffix, at most 52 characters (pods add 6, labels allow 63). */
    public static String jobName(String base, String suffix) {
        String name = base + "-" + suffix;
        if (name.length() <= 52) {
            return name;
        }
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)), 0, 3);
            String head = base.substring(0, Math.min(base.length(), 52 - suffix.length() - hash.length() - 2)).replaceAll("-+$", "");
            return head + "-" + hash + "-" + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
