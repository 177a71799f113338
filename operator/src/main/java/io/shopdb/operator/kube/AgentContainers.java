package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.shopdb.operator.agent.EncryptionKeys;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.BackupTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's container, shared by the backup/restore/verify Jobs (backup/AgentJobs) and the bootstrap-from-backup
 * init container of a cluster (cluster/InstanceSetBuilder): the operator jar's {@code agent} command with the
 * request's arguments ({@link AgentRequest#toArgs()}), the restricted security context, the termination message,
 * and how the storage of a {@link BackupTarget} is reached (a PVC at {@value #MOUNT_BACKUP}, or S3 keys from a
 * Secret as {@code secretKeyRef} env: no secret value is ever part of the pod spec).
 */
public final class AgentContainers {
    public static final String MOUNT_BACKUP = "/backup";
    public static final String TERMINATION_LOG = "/dev/termination-log";
    /** The storage volume's name in a pod. */
    public static final String BACKUP_VOLUME = "backup";
    /** The encryption key Secret's volume of the target of a Job or an instance's restore. */
    public static final String KEYS_VOLUME = "backup-keys";

    private AgentContainers() {}

    /** The request's storage for a target: paths through $(BACKUP_DIR), so the sandbox can map them. */
    public static AgentRequest.Storage storage(BackupTarget target) {
        if (target.getPvc() != null) {
            return AgentRequest.Storage.directory("$(BACKUP_DIR)");
        }
        BackupTarget.S3 s3 = target.getS3();
        String prefix = s3.getPrefix() == null || s3.getPrefix().isEmpty() ? null : s3.getPrefix();
        return new AgentRequest.Storage(null, new AgentRequest.S3(s3.getBucket(), prefix, s3.getEndpoint(), s3.getRegion(),
                Boolean.TRUE.equals(s3.getPathStyle()), s3.getSse(), s3.getKmsKeyId(), null), null);
    }

    /** BACKUP_DIR for a PVC target, or the S3 keys as secretKeyRefs; the encryption keys' folder and id when it is encrypted. */
    public static List<EnvVar> storageEnv(BackupTarget target) {
        return storageEnv(target, MOUNT_BACKUP, KEYS_VOLUME);
    }

    /**
     * As {@link #storageEnv(BackupTarget)}, with the PVC mounted at {@code mountPath} and the key Secret as volume
     * {@code keysVolume} ({@link #keysVolume}; a pod with two storages).
     */
    public static List<EnvVar> storageEnv(BackupTarget target, String mountPath, String keysVolume) {
        List<EnvVar> env = new ArrayList<>();
        if (target.getEncryption() != null) {
            env.add(plain(EncryptionKeys.KEYS_DIR_ENV, keysMountPath(keysVolume)));
            env.add(plain(EncryptionKeys.KEY_ID_ENV, target.getEncryption().getKeyId()));
            if (Boolean.TRUE.equals(target.getEncryption().getReadUnencrypted())) {
                env.add(plain(EncryptionKeys.READ_UNENCRYPTED_ENV, "true"));
            }
        }
        if (target.getPvc() != null) {
            String sub = target.getPvc().getSubPath();
            env.add(plain("BACKUP_DIR", sub == null || sub.isEmpty() ? mountPath : mountPath + "/" + sub));
        } else if (target.getS3() != null && target.getS3().getCredentialsSecret() != null) {
            var creds = target.getS3().getCredentialsSecret();
            env.add(fromSecret("AWS_ACCESS_KEY_ID", creds.getName(),
                    creds.getAccessKeyIdKey() == null ? "AWS_ACCESS_KEY_ID" : creds.getAccessKeyIdKey()));
            env.add(fromSecret("AWS_SECRET_ACCESS_KEY", creds.getName(),
                    creds.getSecretAccessKeyKey() == null ? "AWS_SECRET_ACCESS_KEY" : creds.getSecretAccessKeyKey()));
        }
        return env;
    }

    /** The PVC of a target as a pod volume, or null for S3. */
    public static Volume storageVolume(BackupTarget target, boolean readOnly) {
        return storageVolume(target, BACKUP_VOLUME, readOnly);
    }

    public static Volume storageVolume(BackupTarget target, String volumeName, boolean readOnly) {
        if (target.getPvc() == null) {
            return null;
        }
        return new VolumeBuilder().withName(volumeName).withNewPersistentVolumeClaim().withClaimName(target.getPvc().getClaimName())
                .withReadOnly(readOnly ? Boolean.TRUE : null).endPersistentVolumeClaim().build();
    }

    /** The key Secret of an encrypted target as a pod volume (read-only files, one per key id), or null when it is not encrypted. */
    public static Volume keysVolume(BackupTarget target, String volumeName) {
        if (target.getEncryption() == null) {
            return null;
        }
        return new VolumeBuilder().withName(volumeName).withNewSecret().withSecretName(target.getEncryption().getKeySecret())
                .withDefaultMode(0440).endSecret().build();
    }

    /** Where {@link #keysVolume} is mounted, or null when the target is not encrypted. */
    public static VolumeMount keysMount(BackupTarget target, String volumeName) {
        return target.getEncryption() == null ? null
                : new VolumeMountBuilder().withName(volumeName).withMountPath(keysMountPath(volumeName)).withReadOnly(true).build();
    }

    static String keysMountPath(String volumeName) {
        return "/etc/shopdb/" + volumeName;
    }

    public static VolumeMount storageMount(boolean readOnly) {
        return storageMount(BACKUP_VOLUME, MOUNT_BACKUP, readOnly);
    }

    public static VolumeMount storageMount(String volumeName, String mountPath, boolean readOnly) {
        return new VolumeMountBuilder().withName(volumeName).withMountPath(mountPath).withReadOnly(readOnly ? Boolean.TRUE : null).build();
    }

    /**
     * The agent container running {@code request}. {@code env} and {@code mounts} are the caller's (server address,
     * credentials, volumes); HOME, the JVM's temp dir and the termination-log path are added here.
     */
    public static Container container(String name, String image, AgentRequest request, List<EnvVar> env, List<VolumeMount> mounts) {
        List<String> args = new ArrayList<>(List.of("agent"));
        args.addAll(request.toArgs());
        List<EnvVar> all = new ArrayList<>(env);
        all.add(plain("HOME", "/tmp"));
        all.add(plain(AgentSummary.TERMINATION_LOG_ENV, TERMINATION_LOG));
        // the JVM must not write outside /tmp (read-only root filesystem); keep its heap modest
        all.add(plain("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=/tmp -XX:MaxRAMPercentage=50"));
        return new ContainerBuilder()
                .withName(name).withImage(image).withImagePullPolicy("IfNotPresent")
                .withCommand("java", "-jar", "/deployments/quarkus-run.jar")
                .withArgs(args).withEnv(all).withVolumeMounts(mounts)
                .withTerminationMessagePath(TERMINATION_LOG).withTerminationMessagePolicy("File")
                .withSecurityContext(PodSecurity.restrictedContainer())
                .build();
    }

    public static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    public static EnvVar fromSecret(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
                .withOptional(false).endSecretKeyRef().endValueFrom().build();
    }
}
