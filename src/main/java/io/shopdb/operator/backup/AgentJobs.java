package io.shopdb.operator.backup;

import io.shopdb.operator.kube.PodSecurity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.shopdb.operator.agent.AgentMain;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.cluster.ClusterNames;
import io.shopdb.operator.kube.DesiredState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure builders of the agent Jobs (backup, restore, verify). The Job runs {@code java -jar
 * /deployments/quarkus-run.jar agent ...} in the operator's image and passes the Pod Security "restricted"
 * profile: non-root, RuntimeDefault seccomp, no privilege escalation, all capabilities dropped, read-only
 * root filesystem (emptyDirs for /tmp and the spool), no service account token. Secrets reach the
 * container only as {@code secretKeyRef} env: no password or key is ever part of the Job object.
 * Hosts and paths go through env and {@code $(VAR)} in args, so the argument list holds no secret and the
 * sandbox can map them to local ones (see sandbox/PodProcess).
 */
public final class AgentJobs {
    public static final String MOUNT_BACKUP = "/backup";
    public static final String MOUNT_SPOOL = "/spool";
    public static final String TERMINATION_LOG = "/dev/termination-log";
    public static final String AGENT_LABEL = "shopdb.io/agent";
    /** uid/gid of the user in the operator image (UBI OpenJDK images use 185); fsGroup makes the PVC writable. */
    static final long AGENT_UID = 185L;

    private AgentJobs() {}

    /** How the agent reaches the server: address, and where its credentials are (never the values). */
    public record Server(String host, int port, String maintenanceDb, String sslMode,
                         String userSecret, String userKey, String user, String passwordSecret, String passwordKey) {}

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

    /** The agent's storage options for a target; paths and names only. */
    public static List<String> storageArgs(BackupTarget target) {
        List<String> args = new ArrayList<>();
        if (target.getPvc() != null) {
            args.addAll(List.of("--dir", "$(BACKUP_DIR)"));
            return args;
        }
        BackupTarget.S3 s3 = target.getS3();
        args.addAll(List.of("--s3-bucket", s3.getBucket()));
        if (s3.getPrefix() != null && !s3.getPrefix().isEmpty()) {
            args.addAll(List.of("--s3-prefix", s3.getPrefix()));
        }
        if (s3.getEndpoint() != null) {
            args.addAll(List.of("--s3-endpoint", s3.getEndpoint()));
        }
        if (s3.getRegion() != null) {
            args.addAll(List.of("--s3-region", s3.getRegion()));
        }
        if (Boolean.TRUE.equals(s3.getPathStyle())) {
            args.add("--s3-path-style");
        }
        if (s3.getSse() != null) {
            args.addAll(List.of("--s3-sse", s3.getSse()));
        }
        if (s3.getKmsKeyId() != null) {
            args.addAll(List.of("--s3-kms-key-id", s3.getKmsKeyId()));
        }
        return args;
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

    /**
     * The Job. {@code command} is the agent command and its own options (e.g. backup --method logical ...);
     * server and storage options are added here. backoffLimit 0: retries are new Jobs made by the controller,
     * which knows from the exit code whether a retry can help. {@code server} null: a storage-only command.
     */
    public static Job build(HasMetadata owner, String jobName, String image, Server server, BackupTarget target, List<String> command) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "shopdb-agent");
        labels.put("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY);
        labels.put(AGENT_LABEL, command.get(0));
        labels.put("shopdb.io/owner", owner.getMetadata().getName());

        List<String> args = new ArrayList<>(List.of("agent"));
        args.addAll(command);
        List<EnvVar> env = new ArrayList<>();
        if (server != null) { // "delete" works on storage alone
            args.addAll(List.of("--host", "$(DB_HOST)", "--port", "$(DB_PORT)", "--maintenance-db", server.maintenanceDb(),
                    "--sslmode", server.sslMode(), "--spool-dir", "$(SPOOL_DIR)"));
            env.add(plain("DB_HOST", server.host()));
            env.add(plain("DB_PORT", String.valueOf(server.port())));
            env.add(server.userSecret() == null ? plain("PGUSER", server.user()) : fromSecret("PGUSER", server.userSecret(), server.userKey()));
            env.add(fromSecret("PGPASSWORD", server.passwordSecret(), server.passwordKey()));
        }
        args.addAll(storageArgs(target));
        env.add(plain("SPOOL_DIR", MOUNT_SPOOL));
        env.add(plain("HOME", "/tmp"));
        env.add(plain(AgentMain.TERMINATION_LOG_ENV, TERMINATION_LOG));
        // the JVM must not write outside /tmp (read-only root filesystem); keep its heap modest
        env.add(plain("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=/tmp -XX:MaxRAMPercentage=50"));

        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        volumes.add(new VolumeBuilder().withName("spool").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("spool").withMountPath(MOUNT_SPOOL).build());
        if (target.getPvc() != null) {
            volumes.add(new VolumeBuilder().withName("backup").withNewPersistentVolumeClaim()
                    .withClaimName(target.getPvc().getClaimName()).endPersistentVolumeClaim().build());
            mounts.add(new VolumeMountBuilder().withName("backup").withMountPath(MOUNT_BACKUP).build());
            String sub = target.getPvc().getSubPath();
            env.add(plain("BACKUP_DIR", sub == null || sub.isEmpty() ? MOUNT_BACKUP : MOUNT_BACKUP + "/" + sub));
        } else if (target.getS3().getCredentialsSecret() != null) {
            var creds = target.getS3().getCredentialsSecret();
            env.add(fromSecret("AWS_ACCESS_KEY_ID", creds.getName(),
                    creds.getAccessKeyIdKey() == null ? "AWS_ACCESS_KEY_ID" : creds.getAccessKeyIdKey()));
            env.add(fromSecret("AWS_SECRET_ACCESS_KEY", creds.getName(),
                    creds.getSecretAccessKeyKey() == null ? "AWS_SECRET_ACCESS_KEY" : creds.getSecretAccessKeyKey()));
        }

        Container container = new ContainerBuilder()
                .withName("agent").withImage(image).withImagePullPolicy("IfNotPresent")
                .withCommand("java", "-jar", "/deployments/quarkus-run.jar")
                .withArgs(args).withEnv(env).withVolumeMounts(mounts)
                .withTerminationMessagePath(TERMINATION_LOG).withTerminationMessagePolicy("File")
                .withSecurityContext(PodSecurity.restrictedContainer())
                .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi")).endResources()
                .build();

        return new JobBuilder()
                .withNewMetadata().withName(jobName).withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(DesiredState.ownerReference(owner)).endMetadata()
                .withNewSpec().withBackoffLimit(0)
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

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar fromSecret(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
                .withOptional(false).endSecretKeyRef().endValueFrom().build();
    }
}
