package io.shopdb.operator.sandbox;

import io.quarkus.runtime.ShutdownEvent;
import io.shopdb.operator.kube.ServiceAddresses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local runner: points the operator's network seam at local processes and drives the local
 * controllers and kubelet in a loop. Started by the {@code sandbox} command and by the operator tests;
 * stopped (processes ended, temp dir removed) on shutdown, including Ctrl-C.
 */
@ApplicationScoped
public class Sandbox {
    private static final Logger LOG = Logger.getLogger(Sandbox.class);
    static final long PERIOD_MS = 300;

    @Inject LocalKubelet kubelet;
    @Inject LocalControllers controllers;
    @Inject ServiceAddresses addresses;
    @Inject io.fabric8.kubernetes.client.KubernetesClient client;

    private ScheduledExecutorService loop;
    private Path root;

    public synchronized void start() {
        if (loop != null) {
            return;
        }
        root = createRoot();
        // The runner plays kube-controller-manager and kubelet: its calls are not the operator's, so they carry
        // their own User-Agent (tests and benchmarks count the operator's calls at the API server).
        var own = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
                client.getConfiguration()).withUserAgent(EmbeddedApiServer.SANDBOX_USER_AGENT).build()).build();
        kubelet.useClient(own);
        controllers.useClient(own);
        kubelet.start(root);
        addresses.install(kubelet::resolve);
        startLoop("sandbox-runner", this::tick);
        LOG.infof("sandbox: runner started in %s (PostgreSQL from %s)", root, LocalPostgres.binDir());
    }

    private static Path createRoot() {
        try {
            return Files.createTempDirectory("shopdb-sandbox-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the sandbox directory", e);
        }
    }

    /** The runner's one thread, a pass every {@value #PERIOD_MS} ms. */
    private void startLoop(String name, Runnable pass) {
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(pass, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** On a real control plane (see {@link #startOn}): its nodes; null on the embedded API server. */
    private RealNodes realNodes;

    /**
     * The node side on a real control plane instead of the embedded API server: with {@code admin} (a kubeconfig's
     * client, the rights of kubelets and a provisioner), three Nodes and their Leases, the default StorageClass and its
     * provisioner, and a kubelet running the pods the scheduler binds to those nodes. kube-controller-manager plays the
     * StatefulSet, Job, Deployment and garbage-collection controllers the embedded sandbox runs itself.
     */
    public synchronized void startOn(io.fabric8.kubernetes.client.KubernetesClient admin) {
        if (loop != null) {
            return;
        }
        root = createRoot();
        realNodes = new RealNodes(admin);
        kubelet.useClient(admin);
        kubelet.runOnNodes(realNodes.names(), realNodes::isLost);
        kubelet.start(root);
        addresses.install(kubelet::resolve);
        startLoop("sandbox-nodes", () -> {
            try {
                realNodes.sync();
            } catch (RuntimeException e) {
                LOG.infof("sandbox: nodes pass failed, retrying: %s", e.toString());
            }
            try {
                kubelet.sync();
            } catch (RuntimeException e) {
                LOG.infof("sandbox: kubelet pass failed, retrying: %s", e.toString());
            }
        });
        LOG.infof("sandbox: nodes %s on %s, pods in %s", RealNodes.NAMES, admin.getConfiguration().getMasterUrl(), root);
    }

    /** A node of the real control plane loses its kubelet: its pods' processes die, its Lease is no longer renewed. */
    public void loseNode(String node) {
        realNodes.lose(node);
    }

    /** The node's kubelet is back: its Lease is renewed and its status posted again. */
    public void restoreNode(String node) {
        realNodes.restore(node);
    }

    public Path root() {
        return root;
    }

    private void tick() {
        try {
            controllers.sync();
            kubelet.sync();
        } catch (RuntimeException e) {
            LOG.debugf("sandbox: pass failed, retrying: %s", e.toString());
        }
    }

    public synchronized void stop() {
        if (loop == null) {
            return;
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kubelet.stopAll();
        kubelet.unmountVolumes();
        LocalPostgres.deleteTree(root);
        loop = null;
        LOG.info("sandbox: runner stopped, processes ended, temp dir removed");
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stop();
    }
}
