package io.shopdb.operator.jobs;

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
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.kube.AgentContainers;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.tls.ClusterTlsSecrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.kube.AgentContainers.fromSecret;
import static io.shopdb.operator.kube.AgentContainers.plain;

/**
 * Pure builders of the agent Jobs (backup, restore, verify, delete, import): the agent container of kube/AgentContainers
 * running an {@link AgentRequest}, in a pod that passes the Pod Security "restricted" profile (non-root, RuntimeDefault
 * seccomp, no service account token; emptyDirs for /tmp and the spool). A Job that connects to the cluster mounts the
 * CA its server is verified against (sslmode verify-full; an external server without a CA: what cluster/ExternalTls
 * decides). Secrets reach the container only as
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
    public static final long STORAGE_ONLY_DEADLINE_SECONDS = 900;
    /** uid/gid of the user in the operator image (UBI OpenJDK images use 185); fsGroup makes the PVC writable. */
    static final long AGENT_UID = 185L;

    private AgentJobs() {}

    /** Where a Job's pod finds the CA of the cluster's server (DB_CA_FILE) and of an import's source (SOURCE_CA_FILE). */
    public static final String MOUNT_SERVER_CA = "/etc/shopdb/server-ca";
    public static final String MOUNT_SOURCE_CA = "/etc/shopdb/source-ca";
    static final String CA_KEY = "ca.crt";

    /**
     * A CA certificate a Job's pod mounts: only the key {@code key} of {@code secret} is projected (a server Secret also
     * holds the server's private key, which the agent never sees), as {@code <mountPath>/ca.crt}, named by {@code env}.
     */
    public record CaMount(String volume, String secret, String key, String mountPath, String env) {
        public String file() { return mountPath + "/" + CA_KEY; }
    }

    /**
     * How the agent reaches the server: address, and where its credentials are (never the values). {@code ca}: the CA
     * the server is verified against (null: not verified, an external server without spec.external.caSecretName);
     * {@code serverName}: the name its certificate carries.
     */
    public record Server(String host, int port, String maintenanceDb, String sslMode,
                         String userSecret, String userKey, String user, String passwordSecret, String passwordKey,
                         CaMount ca, String serverName) {

        public Server(String host, int port, String maintenanceDb, String sslMode,
                      String userSecret, String userKey, String user, String passwordSecret, String passwordKey) {
            this(host, port, maintenanceDb, sslMode, userSecret, userKey, user, passwordSecret, passwordKey, null, null);
        }

        /**
         * The request's view: address through $(DB_HOST)/$(DB_PORT) env, user and password from env too, the CA as a
         * $(DB_CA_FILE) path; the certificate's name as written (the sandbox maps DB_HOST to a local address, not it).
         */
        public AgentRequest.Server request() {
            return new AgentRequest.Server("$(DB_HOST)", "$(DB_PORT)", null, maintenanceDb, sslMode,
                    ca == null ? null : "$(" + ca.env() + ")", ca == null ? null : serverName);
        }
    }

    /**
     * The server of a cluster as a pod sees it: the -rw Service (managed), verified (verify-full) against the CA in
     * the cluster's server Secret, the CA the operator itself trusts for it (cluster/ClusterConnections); or the external
     * address with the sslmode cluster/ExternalTls decides, verified against spec.external.caSecretName when given.
     */
    public static Server server(PostgresCluster c) {
        if (c.getSpec().isExternal()) {
            ExternalServerSpec ext = c.getSpec().getExternal();
            var ref = ext.getAdminSecretRef();
            String sslMode = io.shopdb.operator.access.ExternalTls.sslMode(ext);
            CaMount ca = ext.getCaSecretName() == null ? null
                    : new CaMount("server-ca", ext.getCaSecretName(), CA_KEY, MOUNT_SERVER_CA, "DB_CA_FILE");
            return new Server(ext.getHost(), ext.getPort(), ext.getDatabase(), sslMode,
                    ref.getName(), ref.getUsernameKey() == null ? "username" : ref.getUsernameKey(), null,
                    ref.getName(), ref.getPasswordKey() == null ? "password" : ref.getPasswordKey(), ca, ext.getHost());
        }
        String host = ClusterNames.writeService(c) + "." + c.getMetadata().getNamespace() + ".svc";
        return new Server(host, ClusterNames.PORT, "postgres", "verify-full", null, null, ClusterNames.SUPERUSER,
                ClusterNames.superuserSecret(c), "password",
                new CaMount("server-ca", ClusterTls.serverSecret(c), ClusterTlsSecrets.CA_CERT, MOUNT_SERVER_CA, "DB_CA_FILE"), host);
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
        return build(owner, jobName, image, server, target, request, moreEnv, List.of());
    }

    /** As above, with more CA certificates to mount (an import's source CA); the server's own CA is mounted from {@code server}. */
    public static Job build(HasMetadata owner, String jobName, String image, Server server, BackupTarget target, AgentRequest request,
                            List<EnvVar> moreEnv, List<CaMount> moreCas) {
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
        if (target != null && target.getEncryption() != null) {
            volumes.add(AgentContainers.keysVolume(target, AgentContainers.KEYS_VOLUME));
            mounts.add(AgentContainers.keysMount(target, AgentContainers.KEYS_VOLUME));
        }
        List<CaMount> cas = new ArrayList<>();
        if (server != null && server.ca() != null) {
            cas.add(server.ca());
        }
        cas.addAll(moreCas);
        for (CaMount ca : cas) {
            volumes.add(new VolumeBuilder().withName(ca.volume()).withNewSecret().withSecretName(ca.secret())
                    .addNewItem().withKey(ca.key()).withPath(CA_KEY).endItem().withDefaultMode(0444).endSecret().build());
            mounts.add(new VolumeMountBuilder().withName(ca.volume()).withMountPath(ca.mountPath()).withReadOnly(true).build());
            env.add(plain(ca.env(), ca.file()));
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
        String hash = io.shopdb.operator.sql.Hashes.sha256Hex(name, 3);
        String head = base.substring(0, Math.min(base.length(), 52 - suffix.length() - hash.length() - 2)).replaceAll("-+$", "");
        return head + "-" + hash + "-" + suffix;
    }
}
