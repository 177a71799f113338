package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Volumes with a real size: a claim whose StorageClass is provisioned by {@value #PROVISIONER} is a tmpfs mounted at the
 * claim's directory with the claim's size, so a volume that fills up fails PostgreSQL's writes as a full disk does
 * ("No space left on device"), and a claim grown (its StorageClass allowing expansion) grows the filesystem by a
 * remount, online, as a CSI driver's expansion does; the claim's status.capacity follows. tmpfs lives in memory: meant
 * for the small volumes of tests and demonstrations. Mounting needs root; without it such a claim is a plain directory
 * (logged once), as every other claim is.
 */
final class SizedVolumes {
    static final String PROVISIONER = "sandbox.shopdb.io/tmpfs";
    private static final Logger LOG = Logger.getLogger(SizedVolumes.class);

    private record Mounted(String namespace, String claim, String uid, long bytes) {}
    /** A resize pass looks at the claims this often, not at every kubelet pass. */
    private static final long RESIZE_EVERY_MS = 1000;
    private long lastResize;

    private final KubernetesClient client;
    private final Map<Path, Mounted> mounted = new ConcurrentHashMap<>();

    SizedVolumes(KubernetesClient client) {
        this.client = client;
    }

    /** Mounts the claim's directory when its class is sized and it is not mounted yet (the directory exists, empty). */
    void prepare(String namespace, String claimName, Path dir) throws IOException {
        if (mounted.containsKey(dir)) {
            return;
        }
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
        Long bytes = claim == null ? null : sizedRequest(claim);
        if (bytes == null) {
            return;
        }
        if (!LocalPostgres.runningAsRoot()) {
            LOG.warnf("sandbox: claim %s/%s asks for a sized volume, but mounting needs root: a plain directory", namespace, claimName);
            return;
        }
        run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", dir.toString());
        mounted.put(dir, new Mounted(namespace, claimName, claim.getMetadata().getUid(), bytes));
        try {
            capacity(claim, bytes);
        } catch (RuntimeException e) {
            LOG.warnf("sandbox: capacity of claim %s/%s not written yet (the next resize pass does): %s", namespace, claimName, e.getMessage());
        }
        LOG.infof("sandbox: claim %s/%s is a tmpfs of %d bytes", namespace, claimName, bytes);
    }

    /**
     * Grows every mounted volume whose claim asks for more (a remount keeps the files), writes a capacity that did not
     * get written, and unmounts the volume of a claim that is gone (deleted, or replaced by another of its name).
     */
    void resize() {
        if (System.currentTimeMillis() - lastResize < RESIZE_EVERY_MS) {
            return;
        }
        lastResize = System.currentTimeMillis();
        for (var e : mounted.entrySet()) {
            Mounted m = e.getValue();
            try {
                PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(m.namespace()).withName(m.claim()).get();
                if (claim == null || !java.util.Objects.equals(claim.getMetadata().getUid(), m.uid())) {
                    run("umount", "-l", e.getKey().toString());
                    mounted.remove(e.getKey());
                    continue;
                }
                Long bytes = sizedRequest(claim);
                if (bytes != null && bytes > m.bytes()) {
                    run("mount", "-o", "remount,size=" + bytes, e.getKey().toString());
                    mounted.put(e.getKey(), new Mounted(m.namespace(), m.claim(), m.uid(), bytes));
                    LOG.infof("sandbox: claim %s/%s grown to %d bytes", m.namespace(), m.claim(), bytes);
                }
                capacity(claim, mounted.get(e.getKey()).bytes());
            } catch (IOException | RuntimeException ex) {
                LOG.warnf("sandbox: claim %s/%s: %s", m.namespace(), m.claim(), ex.getMessage());
            }
        }
    }

    /** Unmounts everything (before the sandbox removes its directory). */
    void unmountAll() {
        for (Path dir : mounted.keySet()) {
            try {
                run("umount", "-l", dir.toString());
            } catch (IOException e) {
                LOG.warnf("sandbox: cannot unmount %s: %s", dir, e.getMessage());
            }
        }
        mounted.clear();
    }

    private Long sizedRequest(PersistentVolumeClaim claim) {
        String className = claim.getSpec().getStorageClassName();
        StorageClass sc = className == null ? null : client.storage().v1().storageClasses().withName(className).get();
        if (sc == null || !PROVISIONER.equals(sc.getProvisioner()) || claim.getSpec().getResources() == null
                || claim.getSpec().getResources().getRequests() == null || claim.getSpec().getResources().getRequests().get("storage") == null) {
            return null;
        }
        return Quantity.getAmountInBytes(claim.getSpec().getResources().getRequests().get("storage")).longValue();
    }

    /** The claim's status.capacity, when it is not what is mounted. */
    private void capacity(PersistentVolumeClaim claim, long bytes) {
        Quantity now = claim.getStatus() == null || claim.getStatus().getCapacity() == null ? null : claim.getStatus().getCapacity().get("storage");
        if (now != null && Quantity.getAmountInBytes(now).longValue() == bytes) {
            return;
        }
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .editStatus(c -> new PersistentVolumeClaimBuilder(c).editOrNewStatus().withPhase("Bound")
                        .addToCapacity("storage", new Quantity(String.valueOf(bytes))).endStatus().build());
    }

    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
