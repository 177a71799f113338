package io.shopdb.operator.pooler;

import io.shopdb.operator.kube.PinnedImage;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.kube.CachedObjects;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.kube.PodSecurity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure builders of what a pooler owns: the config Secret, the Deployment running PgBouncer (which mounts the config
 * and the TLS Secret of PoolerTls) and the Service {@code <name>}. The pod template carries the configuration's
 * hash, so a changed configuration rolls the pods (PgBouncer re-reads its files only when told; a rolling restart
 * needs no console access and no file-sync delay). Passwords reach the pod only as the mounted Secret.
 */
public final class PoolerObjects {
    public static final String POOLER_LABEL = "shopdb.io/pooler";
    /** Not shopdb.io/cluster: the cluster controller's pod informer selects instance pods by that label. */
    public static final String TARGET_CLUSTER_LABEL = "shopdb.io/pooler-of";
    public static final String CONFIG_HASH_ANNOTATION = "shopdb.io/pgbouncer-config";
    public static final String CONTAINER = "pgbouncer";
    /** Debian's PgBouncer in the operator image; the same 1.18 the tests and PgBouncerParameters are made for. */
    public static final String COMMAND = "/usr/sbin/pgbouncer";
    static final long UID = 185;

    private PoolerObjects() {}

    public static String configSecret(PostgresPooler p) { return p.getMetadata().getName() + "-pgbouncer"; }
    public static String adminSecret(PostgresPooler p) { return p.getMetadata().getName() + "-admin"; }
    public static String serviceName(PostgresPooler p) { return p.getMetadata().getName(); }
    public static String deployment(PostgresPooler p) { return p.getMetadata().getName(); }
    /** Headless: gives each PgBouncer pod a DNS name, for the console commands that must reach every pod (PAUSE). */
    public static String podsService(PostgresPooler p) { return p.getMetadata().getName() + "-pods"; }

    public static Map<String, String> labels(PostgresPooler p) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "pgbouncer");
        labels.put("app.kubernetes.io/instance", p.getMetadata().getName());
        labels.put(CachedObjects.MANAGED_BY_LABEL, CachedObjects.MANAGED_BY);
        labels.put(POOLER_LABEL, p.getMetadata().getName());
        labels.put(TARGET_CLUSTER_LABEL, p.getSpec().getClusterRef().getName());
        return labels;
    }

    public static Secret config(PostgresPooler p, Map<String, String> files) {
        var b = new SecretBuilder().withNewMetadata().withName(configSecret(p)).withNamespace(p.getMetadata().getNamespace())
                .withLabels(labels(p)).endMetadata().withType("Opaque");
        files.forEach((k, v) -> b.addToData(k, GeneratedSecrets.base64(v)));
        return b.build();
    }

    /**
     * Of the files and of the certificate PgBouncer serves ({@code certificateSerial}, in the pooler's TLS Secret):
     * a renewed certificate rolls the pods onto it, as a changed file does.
     */
    public static String hash(Map<String, String> files, String certificateSerial) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(certificateSerial.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            files.forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(v.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Deployment running PgBouncer, built with the image its pods run (status.image, else the existing
     * Deployment's) while a Deployment built with it has the template the existing one has; else with the operator's own
     * (a configuration change rolls the pods anyway and carries it). An operator upgrade alone rolls no pooler.
     */
    public static PinnedImage.Built<Deployment> deployment(PostgresPooler p, Deployment existing, String operatorImage, String configHash) {
        String pinned = p.getStatus() != null && p.getStatus().getImage() != null ? p.getStatus().getImage() : running(existing);
        return PinnedImage.build(pinned, existing, operatorImage, image -> deployment(p, image, configHash));
    }

    /** The PgBouncer container's image in a Deployment, or null. */
    static String running(Deployment existing) {
        if (existing == null || existing.getSpec() == null || existing.getSpec().getTemplate() == null
                || existing.getSpec().getTemplate().getSpec() == null) {
            return null;
        }
        return existing.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName()))
                .map(io.fabric8.kubernetes.api.model.Container::getImage).findFirst().orElse(null);
    }

    /** The Deployment running PgBouncer, stamped with its pod template's hash (PinnedImage). */
    public static Deployment deployment(PostgresPooler p, String image, String configHash) {
        Deployment d = unstamped(p, image, configHash);
        return PinnedImage.stamp(d, d.getSpec().getTemplate());
    }

    private static Deployment unstamped(PostgresPooler p, String image, String configHash) {
        Map<String, String> selector = Map.of(POOLER_LABEL, p.getMetadata().getName());
        return new DeploymentBuilder()
                .withNewMetadata().withName(deployment(p)).withNamespace(p.getMetadata().getNamespace()).withLabels(labels(p)).endMetadata()
                .withNewSpec()
                .withReplicas(p.getSpec().getInstances())
                .withNewSelector().withMatchLabels(selector).endSelector()
                // one new pod before an old one goes: the Service always has a ready PgBouncer
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(p)).addToAnnotations(CONFIG_HASH_ANNOTATION, configHash).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withSubdomain(podsService(p))
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID).withFsGroup(UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer()
                .withName(CONTAINER).withImage(image)
                .withCommand(COMMAND, PgBouncerConfig.DIR + "/" + PgBouncerConfig.INI)
                .addNewPort().withName("pgbouncer").withContainerPort(PgBouncerConfig.PORT).withProtocol("TCP").endPort()
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(PgBouncerConfig.PORT)).endTcpSocket()
                .withPeriodSeconds(5).endReadinessProbe()
                .withNewLivenessProbe().withNewTcpSocket().withPort(new IntOrString(PgBouncerConfig.PORT)).endTcpSocket()
                .withPeriodSeconds(10).withFailureThreshold(6).endLivenessProbe()
                .withResources(p.getSpec().getResources())
                .withSecurityContext(PodSecurity.restrictedContainer())
                .addNewVolumeMount().withName("config").withMountPath(PgBouncerConfig.DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tls").withMountPath(PgBouncerConfig.TLS_DIR).withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewSecret().withSecretName(configSecret(p)).withDefaultMode(0440).endSecret().endVolume()
                // the key readable by the pod's group only (fsGroup: root:185 0440), like the config's passwords
                .addNewVolume().withName("tls").withNewSecret().withSecretName(PoolerTls.secret(p)).withDefaultMode(0440).endSecret().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static Service headlessService(PostgresPooler p) {
        return new ServiceBuilder()
                .withNewMetadata().withName(podsService(p)).withNamespace(p.getMetadata().getNamespace()).withLabels(labels(p)).endMetadata()
                .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true)
                .withSelector(Map.of(POOLER_LABEL, p.getMetadata().getName()))
                .addNewPort().withName("pgbouncer").withPort(PgBouncerConfig.PORT).withTargetPort(new IntOrString(PgBouncerConfig.PORT)).endPort()
                .endSpec()
                .build();
    }

    public static Service service(PostgresPooler p) {
        return new ServiceBuilder()
                .withNewMetadata().withName(serviceName(p)).withNamespace(p.getMetadata().getNamespace()).withLabels(labels(p)).endMetadata()
                .withNewSpec()
                .withSelector(Map.of(POOLER_LABEL, p.getMetadata().getName()))
                .addNewPort().withName("pgbouncer").withPort(PgBouncerConfig.PORT).withTargetPort(new IntOrString(PgBouncerConfig.PORT)).endPort()
                .endSpec()
                .build();
    }
}
