package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.kube.ServiceAddresses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the kubelet (and the network) for the sandbox: runs each Pod in the API as real local processes,
 * reports its readiness, keeps mounted ConfigMaps/Secrets in sync, and resolves Services and pod DNS names
 * to local ports. Only pods labelled as managed by this operator are run; other pods are left Pending, as on
 * a node that cannot run them. {@link LocalControllers} plays the StatefulSet controller and the garbage collector.
 */
@ApplicationScoped
public class LocalKubelet {
    private static final Logger LOG = Logger.getLogger(LocalKubelet.class);
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    @Inject KubernetesClient client;

    /** The sandbox's own client (its User-Agent tells its calls from the operator's at the API server). */
    void useClient(KubernetesClient own) {
        this.client = own;
    }

    private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
    private final Map<String, Integer> stablePorts = new ConcurrentHashMap<>();
    private Path root;

    /** A pod the kubelet runs: its process and local directories. */
    record RunningPod(String uid, PodProcess process, Path dir, Map<String, Path> volumes, Map<Integer, Integer> ports) {}

    public synchronized void start(Path rootDir) {
        this.root = rootDir;
    }

    public Path root() {
        return root;
    }

    /** One pass: start new pods, stop deleted ones, restart crashed ones, refresh volumes, report readiness. */
    public synchronized void sync() {
        List<Pod> apiPods = client.pods().inAnyNamespace().list().getItems();
        Map<String, Pod> byKey = new HashMap<>();
        for (Pod p : apiPods) {
            byKey.put(key(p), p);
        }
        for (var it = pods.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Pod p = byKey.get(e.getKey());
            if (p == null || !Objects.equals(p.getMetadata().getUid(), e.getValue().uid()) || p.getMetadata().getDeletionTimestamp() != null) {
                LOG.infof("sandbox: stopping pod %s", e.getKey());
                e.getValue().process().stop();
                LocalPostgres.deleteTree(e.getValue().dir());
                it.remove();
            }
        }
        for (Pod p : apiPods) {
            if (p.getMetadata().getLabels() == null || !"shopdb-operator".equals(p.getMetadata().getLabels().get(MANAGED_BY))) {
                continue;
            }
            RunningPod running = pods.get(key(p));
            try {
                if (running == null) {
                    running = launch(p);
                    if (running == null) {
                        continue;
                    }
                    pods.put(key(p), running);
                }
                refreshVolumes(p, running);
                if (!running.process().isAlive() && restartsAlways(p)) {
                    running.process().restart();
                }
                report(p, running);
            } catch (PodEnvironment.ConfigError e) {
                reportWaiting(p, "CreateContainerConfigError", e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.debugf("sandbox: pod %s not started yet: %s", key(p), e.getMessage());
            }
        }
    }

    /** Maps a Service, or pod.headless-service, to the local port of a ready pod behind it. */
    public ServiceAddresses.Address resolve(String namespace, String host, int port) {
        String name = host.replaceAll("\\.svc(\\.cluster\\.local)?$", "");
        String[] parts = name.split("\\.");
        if (parts.length >= 2 && parts[parts.length - 1].equals(namespace)) {
            name = String.join(".", java.util.Arrays.copyOf(parts, parts.length - 1));
            parts = name.split("\\.");
        }
        if (parts.length == 2) {
            RunningPod rp = pods.get(namespace + "/" + parts[0]);
            if (rp == null || !rp.process().isAlive()) {
                throw new ServiceAddresses.NoEndpointException("pod " + parts[0] + " is not running");
            }
            return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
        }
        Service svc = client.services().inNamespace(namespace).withName(name).get();
        if (svc == null) {
            throw new ServiceAddresses.NoEndpointException("Service " + namespace + "/" + name + " not found");
        }
        Map<String, String> selector = svc.getSpec().getSelector() == null ? Map.of() : svc.getSpec().getSelector();
        for (Pod p : client.pods().inNamespace(namespace).withLabels(selector).list().getItems()) {
            RunningPod rp = pods.get(key(p));
            if (rp != null && rp.process().isAlive() && isReady(p)) {
                return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
            }
        }
        throw new ServiceAddresses.NoEndpointException("Service " + namespace + "/" + name + " has no ready endpoint");
    }

    /** Stops every process (preStop hooks first) and removes pod directories; volumes stay until the root goes. */
    public synchronized void stopAll() {
        pods.values().parallelStream().forEach(rp -> rp.process().stop());
        pods.clear();
    }

    public int runningPods() {
        return (int) pods.values().stream().filter(rp -> rp.process().isAlive()).count();
    }

    /** Local directory of a PersistentVolumeClaim; it outlives pods, as a volume does. */
    Path claimDir(String namespace, String claim) {
        return root.resolve("volumes").resolve(namespace).resolve(claim);
    }

    private RunningPod launch(Pod p) throws IOException {
        Container container = p.getSpec().getContainers().get(0);
        Path dir = root.resolve("pods").resolve(p.getMetadata().getNamespace()).resolve(p.getMetadata().getName());
        Map<String, Path> volumes = new HashMap<>();
        for (Volume v : p.getSpec().getVolumes() == null ? List.<Volume>of() : p.getSpec().getVolumes()) {
            Path local;
            if (v.getPersistentVolumeClaim() != null) {
                local = claimDir(p.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName());
                if (client.persistentVolumeClaims().inNamespace(p.getMetadata().getNamespace()).withName(v.getPersistentVolumeClaim().getClaimName()).get() == null) {
                    return null; // like a pod waiting for its volume to bind
                }
            } else {
                local = dir.resolve("volumes").resolve(v.getName());
            }
            Files.createDirectories(local);
            LocalPostgres.handOver(local);
            volumes.put(v.getName(), local);
        }
        Map<Integer, Integer> ports = new HashMap<>();
        if (container.getPorts() != null) {
            container.getPorts().forEach(cp -> ports.put(cp.getContainerPort(), stablePort(key(p) + ":" + cp.getContainerPort())));
        }
        RunningPod rp = new RunningPod(p.getMetadata().getUid(), null, dir, volumes, ports);
        refreshVolumes(p, rp);
        String self = p.getMetadata().getName() + "." + p.getSpec().getSubdomain() + ".";
        ServiceAddresses.Resolver resolver = (ns, host, port) -> host.startsWith(self)
                ? new ServiceAddresses.Address("127.0.0.1", ports.getOrDefault(port, port)) // a pod can always reach itself
                : resolve(ns, host, port);
        Files.createDirectories(dir);
        runInitContainers(p, dir, volumes, resolver);
        Map<String, String> env = PodEnvironment.build(p, container, volumes, ports, this::secretData, resolver, dir.resolve("termination-log"));
        LocalPostgres.handOver(dir);
        // run-to-completion pods are this operator's agent Jobs: clients only, run as the current user
        PodProcess process = new PodProcess(p, container, env, dir, dir.resolve("container.log"), restartsAlways(p));
        LOG.infof("sandbox: starting pod %s (port %s, log %s)", key(p), ports.values(), dir.resolve("container.log"));
        process.start();
        return new RunningPod(rp.uid(), process, dir, volumes, ports);
    }

    /**
     * Init containers, in order, each to completion, before the first container starts; same env, volume
     * and command rules as containers (they have no ports). They run as the current user, like agent pods,
     * and the pod's volumes are handed over to the server user afterwards. A failing (or hanging) one fails
     * the launch: the pod stays not ready and the next sync runs the init containers again.
     */
    private void runInitContainers(Pod p, Path dir, Map<String, Path> volumes, ServiceAddresses.Resolver resolver) throws IOException {
        List<Container> inits = p.getSpec().getInitContainers() == null ? List.of() : p.getSpec().getInitContainers();
        for (Container init : inits) {
            Map<String, String> env = PodEnvironment.build(p, init, volumes, Map.of(), this::secretData, resolver,
                    dir.resolve("init-" + init.getName() + "-termination-log"));
            PodProcess process = new PodProcess(p, init, env, dir, dir.resolve("init-" + init.getName() + ".log"), false);
            LOG.infof("sandbox: running init container %s of pod %s", init.getName(), key(p));
            process.start();
            Integer exit = process.awaitExit(java.time.Duration.ofMinutes(10));
            if (exit == null || exit != 0) {
                process.stop();
                throw new IOException("init container " + init.getName() + " of " + key(p) + " failed (exit " + exit
                        + ", log " + dir.resolve("init-" + init.getName() + ".log") + ")");
            }
        }
        if (!inits.isEmpty()) {
            for (Path v : volumes.values()) {
                LocalPostgres.handOver(v);
            }
        }
    }

    /** Writes ConfigMap and Secret volumes like the kubelet's atomic writer: only files that changed. */
    private void refreshVolumes(Pod p, RunningPod rp) throws IOException {
        for (Volume v : p.getSpec().getVolumes() == null ? List.<Volume>of() : p.getSpec().getVolumes()) {
            Map<String, String> files = null;
            if (v.getConfigMap() != null) {
                ConfigMap cm = client.configMaps().inNamespace(p.getMetadata().getNamespace()).withName(v.getConfigMap().getName()).get();
                files = cm == null ? null : cm.getData();
            } else if (v.getSecret() != null) {
                Map<String, String> data = secretData(p.getMetadata().getNamespace(), v.getSecret().getSecretName());
                if (data != null) {
                    files = new HashMap<>();
                    for (var e : data.entrySet()) {
                        files.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8));
                    }
                }
            }
            if (files == null) {
                continue;
            }
            Path dir = rp.volumes().get(v.getName());
            for (var f : files.entrySet()) {
                Path target = dir.resolve(f.getKey());
                if (Files.exists(target) && Files.readString(target).equals(f.getValue())) {
                    continue;
                }
                Path tmp = dir.resolve("." + f.getKey() + ".tmp");
                Files.writeString(tmp, f.getValue());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                LocalPostgres.handOver(target);
            }
        }
    }

    /**
     * restartPolicy Always (the default, StatefulSet pods) restarts a process that ended; Never and OnFailure
     * (Job pods) let it finish and report Succeeded/Failed. OnFailure is treated like Never: the Job
     * controller makes a new pod instead, which is what a retry needs here anyway.
     */
    static boolean restartsAlways(Pod p) {
        String policy = p.getSpec().getRestartPolicy();
        return policy == null || "Always".equals(policy);
    }

    /** A finished run-to-completion pod: phase, exit code and termination message, written once. */
    private void reportTerminated(Pod p, RunningPod rp) {
        Integer exit = rp.process().exitCode();
        String phase = exit != null && exit == 0 ? "Succeeded" : "Failed";
        if (p.getStatus() != null && phase.equals(p.getStatus().getPhase())) {
            return;
        }
        String message = null;
        try {
            Path file = rp.dir().resolve("termination-log");
            if (Files.exists(file)) {
                message = Files.readString(file);
                message = message.length() > 4096 ? message.substring(0, 4096) : message;
            }
        } catch (IOException e) {
            LOG.debugf("sandbox: no termination message for %s: %s", key(p), e.getMessage());
        }
        String terminationMessage = message;
        String now = java.time.Instant.now().toString();
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(pod -> {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                    .withPhase(phase)
                    .withPodIP("127.0.0.1")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").withReason("PodCompleted").build())
                    .addNewContainerStatus().withName(p.getSpec().getContainers().get(0).getName())
                    .withReady(false).withRestartCount(0).withStarted(false)
                    .withNewState().withNewTerminated().withExitCode(exit == null ? -1 : exit)
                    .withReason(exit != null && exit == 0 ? "Completed" : "Error").withMessage(terminationMessage)
                    .withFinishedAt(now).endTerminated().endState()
                    .endContainerStatus()
                    .build());
            return pod;
        });
    }

    /** Writes the pod's phase and Ready condition when they change (so a steady state writes nothing). */
    private void report(Pod p, RunningPod rp) {
        if (!restartsAlways(p) && rp.process().exitCode() != null) {
            reportTerminated(p, rp);
            return;
        }
        boolean alive = rp.process().isAlive();
        boolean ready = alive && rp.process().ready();
        String phase = alive ? "Running" : "Pending";
        String readyText = ready ? "True" : "False";
        int restarts = rp.process().restarts();
        var status = p.getStatus();
        boolean same = status != null && phase.equals(status.getPhase()) && status.getConditions() != null
                && status.getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && readyText.equals(c.getStatus()))
                && status.getContainerStatuses() != null && !status.getContainerStatuses().isEmpty()
                && Objects.equals(status.getContainerStatuses().get(0).getRestartCount(), restarts);
        if (same) {
            return;
        }
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(pod -> {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                    .withPhase(phase)
                    .withPodIP("127.0.0.1")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus(readyText).build())
                    .addNewContainerStatus().withName(p.getSpec().getContainers().get(0).getName())
                    .withReady(ready).withRestartCount(restarts).withStarted(alive).endContainerStatus()
                    .build());
            return pod;
        });
    }

    /** A pod whose container cannot be created, as the kubelet reports it: Pending, the container waiting with a reason. */
    private void reportWaiting(Pod p, String reason, String message) {
        var status = p.getStatus();
        boolean same = status != null && status.getContainerStatuses() != null && !status.getContainerStatuses().isEmpty()
                && status.getContainerStatuses().get(0).getState() != null && status.getContainerStatuses().get(0).getState().getWaiting() != null
                && reason.equals(status.getContainerStatuses().get(0).getState().getWaiting().getReason())
                && Objects.equals(message, status.getContainerStatuses().get(0).getState().getWaiting().getMessage());
        if (same) {
            return;
        }
        LOG.infof("sandbox: pod %s cannot start: %s: %s", key(p), reason, message);
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(pod -> {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                    .withPhase("Pending")
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").withReason("ContainersNotReady").build())
                    .addNewContainerStatus().withName(p.getSpec().getContainers().get(0).getName())
                    .withReady(false).withRestartCount(0).withStarted(false)
                    .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                    .endContainerStatus()
                    .build());
            return pod;
        });
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private Map<String, String> secretData(String namespace, String name) {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        return s == null ? null : s.getData();
    }

    /** A pod keeps its local port across restarts, as a pod keeps its DNS name; replicas rely on it. */
    private int stablePort(String key) {
        return stablePorts.computeIfAbsent(key, k -> {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free local port", e);
            }
        });
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }
}
