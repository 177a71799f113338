package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.shopdb.operator.kube.ServiceAddresses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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

    /**
     * On a real control plane: the nodes this kubelet is (it runs only the pods bound to them, and confirms their
     * deletion as a kubelet does, the API server keeping a deleted pod until then); null: the embedded API server,
     * where every pod is this runner's. {@code lost}: nodes whose kubelet is gone (their processes killed, nothing
     * reported or confirmed any more).
     */
    private Set<String> ownNodes;
    private java.util.function.Predicate<String> lostNode = n -> false;

    void runOnNodes(Set<String> nodes, java.util.function.Predicate<String> lost) {
        this.ownNodes = nodes;
        this.lostNode = lost;
    }

    private final Map<String, String> podIps = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger nextPodIp = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * On a real control plane, a Service is what its EndpointSlices say (the EndpointSlice controller's view of ready
     * pods behind the selector): the first ready endpoint whose pod this kubelet runs, at that pod's local port.
     */
    private ServiceAddresses.Address fromEndpointSlices(String namespace, String service, int port) {
        for (var slice : client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).list().getItems()) {
            for (var endpoint : slice.getEndpoints() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of() : slice.getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                var ref = endpoint.getTargetRef();
                RunningPod rp = ref == null ? null : pods.get(namespace + "/" + ref.getName());
                if (ready && rp != null && rp.process().isAlive() && !cutOff.contains(namespace + "/" + ref.getName())) {
                    return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
                }
            }
        }
        throw new ServiceAddresses.NoEndpointException("Service " + namespace + "/" + service + " has no ready endpoint in its EndpointSlices");
    }

    private boolean mine(Pod p) {
        // not bound yet (no nodeName): the scheduler has not chosen a node
        return ownNodes == null || p.getSpec() != null && p.getSpec().getNodeName() != null && ownNodes.contains(p.getSpec().getNodeName());
    }

    private boolean onLostNode(Pod p) {
        return ownNodes != null && p.getSpec() != null && p.getSpec().getNodeName() != null && lostNode.test(p.getSpec().getNodeName());
    }

    /** A real API server keeps a deleted pod until its kubelet says it stopped: the final delete (grace period 0). */
    private void confirmDeleted(Pod p) {
        if (ownNodes != null && p != null && p.getMetadata().getDeletionTimestamp() != null && !onLostNode(p)) {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).withGracePeriod(0).delete();
        }
    }

    /** Annotation a person (or test) sets on a pod: "lost" takes its node away, "up" brings it back. */
    public static final String NODE_ANNOTATION = "sandbox.shopdb.io/node";
    /** Annotation whose every new value SIGKILLs the pod's server process once, like a crash. */
    public static final String CRASH_ANNOTATION = "sandbox.shopdb.io/crash";
    /** "true" freezes the pod's server process (SIGSTOP: a hung primary), "false" thaws it. */
    public static final String FREEZE_ANNOTATION = "sandbox.shopdb.io/freeze";

    /**
     * "true" cuts the pod off the network as a partition would, while it keeps running: the operator cannot reach it,
     * Services route no new connection to it and drop those they carried (a replica's stream), yet clients already
     * connected to its own port keep working (they are on its side). Its kubelet is cut off too: a delete leaves
     * it running and the pod object Terminating (held by {@value #PARTITION_FINALIZER}), as a real API server keeps
     * a pod its kubelet cannot confirm stopped. "false" heals it: a pending delete then completes.
     */
    public static final String CUT_OFF_ANNOTATION = "sandbox.shopdb.io/cut-off";
    static final String PARTITION_FINALIZER = "sandbox.shopdb.io/partitioned";

    private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
    /** Pods cut off from the network (namespace/name). */
    private final java.util.Set<String> cutOff = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> stablePorts = new ConcurrentHashMap<>();
    /** Pods whose node is down: not run, not restarted, marked not ready, until the node comes back. */
    private final java.util.Set<String> lostNodes = ConcurrentHashMap.newKeySet();
    private final Map<String, String> crashTokens = new ConcurrentHashMap<>();
    private final Map<String, String> freezeStates = new ConcurrentHashMap<>();
    private final ServiceProxies proxies = new ServiceProxies(this::resolve);
    /** Claims with a real size (SizedVolumes); made on first use, the client being injected. */
    private SizedVolumes sized;
    private Path root;

    /**
     * A pod the kubelet runs: its first container's process, the processes of its other containers (sidecars, e.g. the
     * wal-archiver), and local directories. Status reports the first container; a sidecar that ends is restarted.
     */
    record RunningPod(String uid, PodProcess process, List<PodProcess> sidecars, Path dir, Map<String, Path> volumes,
                      Map<Integer, Integer> ports) {
        /** The server first (its preStop hook lets it archive its last WAL through the sidecar), then the sidecars. */
        void stop() {
            process.stop();
            sidecars.forEach(PodProcess::stop);
        }

        void kill() {
            sidecars.forEach(PodProcess::kill);
            process.kill();
        }

        void restartEndedSidecars() throws IOException {
            for (PodProcess s : sidecars) {
                if (!s.isAlive()) {
                    s.start();
                }
            }
        }
    }

    public synchronized void start(Path rootDir) {
        this.root = rootDir;
    }

    public Path root() {
        return root;
    }

    /** One pass: start new pods, stop deleted ones, restart crashed ones, refresh volumes, report readiness. */
    public synchronized void sync() {
        if (sized != null) {
            sized.resize(); // a grown claim of a sized class: the filesystem grows (online, as a CSI expansion)
        }
        List<Pod> apiPods = client.pods().inAnyNamespace().list().getItems().stream().filter(this::mine).toList();
        Map<String, Pod> byKey = new HashMap<>();
        for (Pod p : apiPods) {
            byKey.put(key(p), p);
        }
        for (var it = pods.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Pod p = byKey.get(e.getKey());
            if (p != null && cutOff.contains(e.getKey()) && Objects.equals(p.getMetadata().getUid(), e.getValue().uid())) {
                continue; // its kubelet does not hear the delete: it runs on until the partition heals
            }
            if (p != null && onLostNode(p)) {
                if (e.getValue().process().isAlive()) {
                    LOG.infof("sandbox: node %s lost: the processes of pod %s are killed", p.getSpec().getNodeName(), e.getKey());
                    e.getValue().kill();
                }
                continue; // no kubelet: nothing is reported or confirmed for it
            }
            if (p == null || !Objects.equals(p.getMetadata().getUid(), e.getValue().uid()) || p.getMetadata().getDeletionTimestamp() != null) {
                LOG.infof("sandbox: stopping pod %s", e.getKey());
                e.getValue().stop();
                LocalPostgres.deleteTree(e.getValue().dir());
                it.remove();
                confirmDeleted(p);
            }
        }
        for (Pod p : apiPods) {
            if (p.getMetadata().getLabels() == null || !"shopdb-operator".equals(p.getMetadata().getLabels().get(MANAGED_BY))) {
                continue;
            }
            if (ownNodes != null && (onLostNode(p) || p.getMetadata().getDeletionTimestamp() != null && !pods.containsKey(key(p)))) {
                confirmDeleted(p); // a deleted pod this kubelet does not run: stopped already
                continue;
            }
            followAnnotations(p);
            RunningPod running = pods.get(key(p));
            if (lostNodes.contains(key(p))) {
                if (running != null && running.process().isAlive()) {
                    LOG.infof("sandbox: node of pod %s lost: its processes are killed and not restarted", key(p));
                    running.kill();
                }
                markNotReady(p);
                continue;
            }
            try {
                if (running == null) {
                    running = launch(p);
                    if (running == null) {
                        continue;
                    }
                    pods.put(key(p), running);
                }
                refreshVolumes(p, running);
                if (restartsAlways(p)) {
                    running.restartEndedSidecars();
                }
                if (!running.process().isAlive() && restartsAlways(p)) {
                    running.process().noteEnded(running.dir().resolve("termination-log"));
                    if (!running.process().inBackOff()) {
                        running.process().restart();
                    }
                }
                report(p, running);
            } catch (PodEnvironment.ConfigException e) {
                reportWaiting(p, "CreateContainerConfigError", e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.debugf("sandbox: pod %s not started yet: %s", key(p), e.getMessage());
            }
        }
    }

    /** A DNS name as a pod or the operator writes it: a Service, or pod.headless-service (then {@code pod} is set). */
    record Target(String service, String pod) {}

    static Target parse(String namespace, String host) {
        String name = host.replaceAll("\\.svc(\\.cluster\\.local)?$", "");
        String[] parts = name.split("\\.");
        if (parts.length >= 2 && parts[parts.length - 1].equals(namespace)) {
            name = String.join(".", java.util.Arrays.copyOf(parts, parts.length - 1));
            parts = name.split("\\.");
        }
        return parts.length == 2 ? new Target(parts[1], parts[0]) : new Target(name, null);
    }

    /**
     * What a name resolves to from inside a pod: a pod's DNS name to that pod's (stable) port, running or not,
     * as a headless Service publishes not-ready addresses; a Service to its proxy (the ClusterIP).
     */
    ServiceAddresses.Address resolveInPod(String namespace, String host, int port) {
        if (outsideTheCluster(namespace, host)) {
            return new ServiceAddresses.Address(host, port); // cluster DNS does not answer it: dialled as written
        }
        Target t = parse(namespace, host);
        if (t.pod() != null) {
            return new ServiceAddresses.Address("127.0.0.1", stablePort(namespace + "/" + t.pod() + ":" + port));
        }
        return proxies.address(namespace, t.service(), port);
    }

    /**
     * A host no Service or pod DNS name can be (an IP address, or a name whose Service part holds a dot, such as
     * legacy-db.example.com): in a cluster it is an external server, reached as written. The sandbox's pods share
     * this machine's network, so a server at 127.0.0.1:port stands for it (an import's source, an external cluster).
     */
    static boolean outsideTheCluster(String namespace, String host) {
        return host.contains(":") || parse(namespace, host).service().contains(".");
    }

    /** The stable address of a Service as pods see it (its ClusterIP): each connection goes to a ready endpoint. */
    public ServiceAddresses.Address serviceAddress(String namespace, String service, int port) {
        return proxies.address(namespace, service, port);
    }

    /** Takes the pod's node away: its processes are killed (no preStop) and not restarted until {@link #restoreNode}. */
    public void loseNode(String namespace, String pod) {
        lostNodes.add(namespace + "/" + pod);
    }

    /** Brings the pod's node back: the kubelet restarts its container with the same volumes. */
    public void restoreNode(String namespace, String pod) {
        lostNodes.remove(namespace + "/" + pod);
    }

    /** SIGSTOPs the pod's server process (alive, answering nothing: a hung primary); false when none runs. */
    public synchronized boolean freezeServer(String namespace, String pod) {
        RunningPod rp = pods.get(namespace + "/" + pod);
        return rp != null && rp.process().freezeServer();
    }

    /** SIGCONTs a server frozen by {@link #freezeServer}; false when none is frozen. */
    public synchronized boolean thawServer(String namespace, String pod) {
        RunningPod rp = pods.get(namespace + "/" + pod);
        return rp != null && rp.process().thawServer();
    }

    /** SIGKILLs the pod's server process (not the whole container tree), like a crash; false when none runs. */
    public synchronized boolean crashServer(String namespace, String pod) {
        RunningPod rp = pods.get(namespace + "/" + pod);
        return rp != null && rp.process().crashServer();
    }

    /** Services and pods as kube-proxy sees them: from informers, so resolving an address costs no API request. */
    private record Endpoints(SharedIndexInformer<Service> services, SharedIndexInformer<Pod> pods) {}

    private volatile Endpoints endpoints;

    private Endpoints endpoints() {
        Endpoints e = endpoints;
        if (e == null) {
            synchronized (this) {
                if (endpoints == null) {
                    endpoints = new Endpoints(client.services().inAnyNamespace().inform(), client.pods().inAnyNamespace().inform());
                }
                e = endpoints;
            }
        }
        return e;
    }

    private static boolean matches(Pod p, Map<String, String> selector) {
        Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(en -> en.getValue().equals(labels.get(en.getKey())));
    }

    /** The local address of a running, ready pod the Service selects, or null. */
    private ServiceAddresses.Address readyEndpoint(String namespace, Service svc, List<Pod> candidates, int port) {
        if (svc == null) {
            return null;
        }
        Map<String, String> selector = svc.getSpec().getSelector() == null ? Map.of() : svc.getSpec().getSelector();
        for (Pod p : candidates) {
            if (!namespace.equals(p.getMetadata().getNamespace()) || !matches(p, selector)) {
                continue;
            }
            RunningPod rp = pods.get(key(p));
            if (rp != null && rp.process().isAlive() && isReady(p) && !cutOff.contains(key(p))) {
                return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
            }
        }
        return null;
    }

    /**
     * The pod's own address as a client on its side of a partition dials it (cut off or not): its local port, while
     * its server process runs.
     */
    public ServiceAddresses.Address podAddress(String namespace, String pod, int port) {
        RunningPod rp = pods.get(namespace + "/" + pod);
        if (rp == null) {
            throw new ServiceAddresses.NoEndpointException("pod " + pod + " is not running");
        }
        return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
    }

    /** Maps a Service, or pod.headless-service, to the local port of a ready pod behind it. */
    public ServiceAddresses.Address resolve(String namespace, String host, int port) {
        Target target = parse(namespace, host);
        String name = target.service();
        String[] parts = target.pod() == null ? new String[] {name} : new String[] {target.pod(), name};
        if (parts.length == 2) {
            RunningPod rp = pods.get(namespace + "/" + parts[0]);
            if (rp == null || !rp.process().isAlive()) {
                throw new ServiceAddresses.NoEndpointException("pod " + parts[0] + " is not running");
            }
            if (cutOff.contains(namespace + "/" + parts[0])) {
                throw new ServiceAddresses.NoEndpointException("pod " + parts[0] + " is cut off (" + CUT_OFF_ANNOTATION + ")");
            }
            return new ServiceAddresses.Address("127.0.0.1", rp.ports().getOrDefault(port, port));
        }
        if (ownNodes != null) {
            return fromEndpointSlices(namespace, name, port);
        }
        ServiceAddresses.Address cached = readyEndpoint(namespace, endpoints().services().getStore().getByKey(namespace + "/" + name),
                endpoints().pods().getStore().list(), port);
        if (cached != null) {
            return cached;
        }
        // none in the informers' view: they may be a moment behind a label or readiness just written, so the API
        // server answers before the caller is told there is no endpoint (the common case costs no request)
        Service svc = client.services().inNamespace(namespace).withName(name).get();
        if (svc == null) {
            throw new ServiceAddresses.NoEndpointException("Service " + namespace + "/" + name + " not found");
        }
        ServiceAddresses.Address fresh = readyEndpoint(namespace, svc, client.pods().inNamespace(namespace).list().getItems(), port);
        if (fresh != null) {
            return fresh;
        }
        throw new ServiceAddresses.NoEndpointException("Service " + namespace + "/" + name + " has no ready endpoint");
    }

    /** Stops every process (preStop hooks first) and removes pod directories; volumes stay until the root goes. */
    public synchronized void stopAll() {
        if (endpoints != null) {
            endpoints.services().close();
            endpoints.pods().close();
            endpoints = null;
        }
        pods.values().parallelStream().forEach(RunningPod::stop);
        pods.clear();
        lostNodes.clear();
        proxies.closeAll();
    }

    public int runningPods() {
        return (int) pods.values().stream().filter(rp -> rp.process().isAlive()).count();
    }

    private synchronized SizedVolumes sized() {
        if (sized == null) {
            sized = new SizedVolumes(client);
        }
        return sized;
    }

    /** Unmounts the sized volumes (SizedVolumes), before the sandbox removes its directory. */
    public synchronized void unmountVolumes() {
        if (sized != null) {
            sized.unmountAll();
        }
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
                Files.createDirectories(local);
                sized().prepare(p.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName(), local);
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
        RunningPod rp = new RunningPod(p.getMetadata().getUid(), null, List.of(), dir, volumes, ports);
        refreshVolumes(p, rp);
        String self = p.getMetadata().getName() + "." + p.getSpec().getSubdomain() + ".";
        ServiceAddresses.Resolver resolver = (ns, host, port) -> host.startsWith(self)
                ? new ServiceAddresses.Address("127.0.0.1", ports.getOrDefault(port, port)) // a pod can always reach itself
                : resolveInPod(ns, host, port);
        Files.createDirectories(dir);
        runInitContainers(p, dir, volumes, resolver);
        Map<String, String> env = PodEnvironment.build(p, container, volumes, ports, this::secretData, resolver, dir.resolve("termination-log"));
        LocalPostgres.handOver(dir);
        refreshVolumes(p, rp); // the hand-over chowned the projected files too: back to the kubelet's owner and mode
        if (PgBouncerFiles.isPgBouncer(container)) {
            container = PgBouncerFiles.localContainer(container, p.getMetadata().getNamespace(), volumes, ports, resolver, dir);
        }
        LocalPostgres.handOver(dir);
        refreshVolumes(p, rp);
        // run-to-completion pods are this operator's agent Jobs: clients only, run as the current user
        PodProcess process = new PodProcess(p, container, env, dir, dir.resolve("container.log"), restartsAlways(p), ports);
        LOG.infof("sandbox: starting pod %s (port %s, log %s)", key(p), ports.values(), dir.resolve("container.log"));
        process.start();
        // the other containers (sidecars): agent processes, run as the current user like agent Jobs, no ports
        List<PodProcess> sidecars = new java.util.ArrayList<>();
        for (Container sidecar : p.getSpec().getContainers().subList(1, p.getSpec().getContainers().size())) {
            Map<String, String> sidecarEnv = PodEnvironment.build(p, sidecar, volumes, ports, this::secretData, resolver,
                    dir.resolve(sidecar.getName() + "-termination-log"));
            PodProcess s = new PodProcess(p, sidecar, sidecarEnv, dir, dir.resolve(sidecar.getName() + ".log"), false);
            LOG.infof("sandbox: starting container %s of pod %s (log %s)", sidecar.getName(), key(p), dir.resolve(sidecar.getName() + ".log"));
            s.start();
            sidecars.add(s);
        }
        return new RunningPod(rp.uid(), process, List.copyOf(sidecars), dir, volumes, ports);
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

    /** Writes ConfigMap and Secret volumes like the kubelet's atomic writer: only files that changed, modes as in VolumeFiles. */
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
                    var items = v.getSecret().getItems();
                    for (var e : data.entrySet()) {
                        if (items == null || items.isEmpty()) {
                            files.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8));
                        }
                    }
                    // with items only those keys are projected, at their paths (an agent gets a server Secret's ca.crt, not its key)
                    for (var item : items == null ? List.<io.fabric8.kubernetes.api.model.KeyToPath>of() : items) {
                        if (data.containsKey(item.getKey())) {
                            files.put(item.getPath(), new String(Base64.getDecoder().decode(data.get(item.getKey())), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            if (files == null) {
                continue;
            }
            Path dir = rp.volumes().get(v.getName());
            for (var f : files.entrySet()) {
                boolean root = LocalPostgres.runningAsRoot();
                VolumeFiles.ensure(dir.resolve(f.getKey()), f.getValue(), VolumeFiles.mode(v, null, p.getSpec().getSecurityContext(), root), root);
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
        PodProcess process = rp.process();
        boolean alive = process.isAlive();
        boolean ready = alive && process.ready();
        writeStatus(p, ContainerStatuses.build(p, new ContainerStatuses.Observed(alive, ready, process.restarts(), process.startedAt(),
                process.lastTermination(), !alive && process.inBackOff(), process.currentBackOff(), null, null)));
    }

    /** A container that cannot be created (e.g. CreateContainerConfigError): Pending, waiting with the reason. */
    private void reportWaiting(Pod p, String reason, String message) {
        LOG.debugf("sandbox: pod %s: %s: %s", key(p), reason, message);
        writeStatus(p, ContainerStatuses.build(p, new ContainerStatuses.Observed(false, false, 0, null, null, false,
                java.time.Duration.ZERO, reason, message)));
    }

    /**
     * What the node lifecycle controller does to the pods of a node that stopped reporting: Ready=False (the
     * container statuses keep their last reported values). A real cluster waits node-monitor-grace-period
     * (40 s by default) before doing so; the sandbox does it at once.
     */
    private void markNotReady(Pod p) {
        if (!isReady(p)) {
            return;
        }
        var status = new io.fabric8.kubernetes.api.model.PodStatusBuilder(p.getStatus())
                .withConditions(ContainerStatuses.ready(p, false)).build();
        writeStatus(p, status);
    }

    /** Writes a pod status only when it differs from the one in the API (a steady state writes nothing). */
    private void writeStatus(Pod p, io.fabric8.kubernetes.api.model.PodStatus status) {
        if (ownNodes != null) {
            // on a real control plane the EndpointSlice controller lists a pod by its IP, which may not be a loopback
            // address: each pod gets one of its own from 10.244.0.0/16 (no one dials it: Services resolve through the
            // EndpointSlices' pod references to the pod's local ports, see fromEndpointSlices)
            String ip = podIps.computeIfAbsent(p.getMetadata().getUid(), uid -> {
                int n = nextPodIp.getAndIncrement();
                return "10.244." + (n / 250) + "." + (n % 250 + 2);
            });
            status.setPodIP(ip);
            status.setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP(ip)));
            status.setHostIP("127.0.0.1");
        }
        var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
        if (p.getStatus() != null && mapper.valueToTree(p.getStatus()).equals(mapper.valueToTree(status))) {
            return;
        }
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).editStatus(pod -> {
            pod.setStatus(status);
            return pod;
        });
    }

    /** The person-facing switches: {@value #NODE_ANNOTATION}: lost|up and {@value #CRASH_ANNOTATION}: any new value. */
    private void followAnnotations(Pod p) {
        Map<String, String> annotations = p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations();
        String node = annotations.get(NODE_ANNOTATION);
        if ("lost".equals(node)) {
            lostNodes.add(key(p));
        } else if ("up".equals(node)) {
            lostNodes.remove(key(p));
        }
        followCutOff(p, "true".equals(annotations.get(CUT_OFF_ANNOTATION)));
        String freeze = annotations.get(FREEZE_ANNOTATION);
        RunningPod running = pods.get(key(p));
        if (running != null && freeze != null && !freeze.equals(freezeStates.put(key(p) + "/" + p.getMetadata().getUid(), freeze))) {
            boolean done = "true".equals(freeze) ? running.process().freezeServer() : running.process().thawServer();
            if (done) {
                LOG.infof("sandbox: %s the server process of pod %s (%s=%s)", "true".equals(freeze) ? "froze" : "thawed", key(p), FREEZE_ANNOTATION, freeze);
            }
        }
        String crash = annotations.get(CRASH_ANNOTATION);
        if (crash != null && !crash.equals(crashTokens.put(key(p) + "/" + p.getMetadata().getUid(), crash))) {
            RunningPod rp = pods.get(key(p));
            if (rp != null && rp.process().crashServer()) {
                LOG.infof("sandbox: killed the server process of pod %s (%s=%s)", key(p), CRASH_ANNOTATION, crash);
            }
        }
    }

    /** Cuts a pod off or heals it ({@link #CUT_OFF_ANNOTATION}); the finalizer holds a delete while it is cut off. */
    private void followCutOff(Pod p, boolean cut) {
        String key = key(p);
        java.util.List<String> finalizers = p.getMetadata().getFinalizers() == null ? java.util.List.of() : p.getMetadata().getFinalizers();
        if (cut && cutOff.add(key)) {
            LOG.infof("sandbox: pod %s cut off from the network (%s)", key, CUT_OFF_ANNOTATION);
            RunningPod rp = pods.get(key);
            if (rp != null) {
                rp.ports().values().forEach(proxies::dropTo);
            }
        }
        if (cut && !finalizers.contains(PARTITION_FINALIZER) && p.getMetadata().getDeletionTimestamp() == null) {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .edit(x -> new io.fabric8.kubernetes.api.model.PodBuilder(x).editMetadata().addToFinalizers(PARTITION_FINALIZER).endMetadata().build());
        }
        if (!cut && cutOff.remove(key)) {
            LOG.infof("sandbox: pod %s reconnected", key);
        }
        if (!cut && finalizers.contains(PARTITION_FINALIZER)) {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .edit(x -> new io.fabric8.kubernetes.api.model.PodBuilder(x).editMetadata().removeFromFinalizers(PARTITION_FINALIZER).endMetadata().build());
        }
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
