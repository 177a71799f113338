package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One container of a pod, run as a real local process: the container's own command with its environment,
 * its mount paths mapped to local directories and its ports to local ports (see {@link PodEnvironment}).
 * Probes and the preStop hook are the pod spec's own commands, run the same way; a tcpSocket probe connects to
 * the container port's local port.
 *
 * <p>Two more rules make Job pods (the backup agent) runnable here:
 * <ul>
 *   <li>{@code $(VAR)} in command and args is replaced by the (already mapped) environment variable, as the
 *       kubelet does; so a path or host passed as {@code --dir $(BACKUP_DIR)} is mapped like the env is.</li>
 *   <li>A command starting with {@value #AGENT_JAR_PREFIX} (the operator's own image) runs this very
 *       operator: the local java ({@code ProcessHandle.current()}) with {@code -jar <our quarkus-run.jar>} when
 *       the sandbox runs from the packaged jar, otherwise (tests, IDE) {@code -cp <java.class.path>
 *       io.shopdb.operator.agent.AgentMain}, which needs no Quarkus boot.</li>
 * </ul>
 * Pods of PostgreSQL instances run as the {@code postgres} OS user when we are root; agent pods are clients
 * only (pg_dump connects over TCP) and run as the current user.
 */
final class PodProcess {
    private final Pod pod;
    private final Container container;
    private final Map<String, String> env;
    private final Path logFile;
    private final Path workDir;
    private final boolean asServerUser;
    private final Map<Integer, Integer> localPorts;
    private Process process;
    /** The server process stopped with SIGSTOP (a hung primary), and when: see {@link #freezeServer}. */
    private volatile ProcessHandle frozen;
    private volatile java.time.Instant frozenAt;
    private int restarts;
    private java.time.Instant startedAt;
    /** The last run that ended, as the kubelet keeps it in lastState.terminated. */
    private Termination lastTermination;
    /** Not restarted before this instant (the kubelet's crash-loop back-off). */
    private java.time.Instant backOffUntil;
    private java.time.Duration backOff = java.time.Duration.ZERO;

    /** An ended run of the container: exit code, times, and the message the kubelet would report. */
    record Termination(int exitCode, String reason, String message, java.time.Instant startedAt, java.time.Instant finishedAt) {}

    /** The kubelet's back-off: 10 s doubling to 5 min, reset after a run of 10 minutes. */
    static final java.time.Duration FIRST_BACKOFF = java.time.Duration.ofSeconds(10);
    static final java.time.Duration MAX_BACKOFF = java.time.Duration.ofMinutes(5);
    static final java.time.Duration BACKOFF_RESET = java.time.Duration.ofMinutes(10);
    /** What FallbackToLogsOnError takes from the log: the last 80 lines, at most 2048 bytes (kubelet's limits). */
    static final int FALLBACK_LINES = 80;
    static final int FALLBACK_BYTES = 2048;

    static final String AGENT_JAR_PREFIX = "java -jar /deployments/quarkus-run.jar";

    PodProcess(Pod pod, Container container, Map<String, String> env, Path workDir, Path logFile, boolean asServerUser) {
        this(pod, container, env, workDir, logFile, asServerUser, Map.of());
    }

    /** {@code localPorts}: container port → local port, for tcpSocket probes. */
    PodProcess(Pod pod, Container container, Map<String, String> env, Path workDir, Path logFile, boolean asServerUser,
               Map<Integer, Integer> localPorts) {
        this.localPorts = localPorts;
        this.asServerUser = asServerUser;
        this.pod = pod;
        this.workDir = workDir;
        this.container = container;
        this.env = env;
        this.logFile = logFile;
    }

    void start() throws IOException {
        List<String> cmd = new ArrayList<>(asServerUser ? LocalPostgres.asServerUser() : List.of());
        List<String> given = new ArrayList<>(container.getCommand() == null ? List.of() : container.getCommand());
        given.addAll(container.getArgs() == null ? List.of() : container.getArgs());
        cmd.addAll(localCommand(given.stream().map(a -> expand(a, env)).toList()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.directory(workDir.toFile());
        process = pb.start();
        startedAt = java.time.Instant.now();
    }

    /** Rule 2 above: the operator image's agent command becomes this JVM's java and code. */
    static List<String> localCommand(List<String> cmd) {
        String[] prefix = AGENT_JAR_PREFIX.split(" ");
        if (cmd.size() < prefix.length || !cmd.subList(0, prefix.length).equals(List.of(prefix))) {
            return cmd;
        }
        List<String> out = new ArrayList<>();
        out.add(ProcessHandle.current().info().command().orElse("java"));
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.endsWith("quarkus-run.jar") && !classPath.contains(java.io.File.pathSeparator)) {
            out.add("-jar");
            out.add(Path.of(classPath).toAbsolutePath().toString());
        } else {
            out.add("-cp");
            out.add(classPath);
            out.add("io.shopdb.operator.agent.AgentMain");
        }
        out.addAll(cmd.subList(prefix.length, cmd.size()));
        return out;
    }

    /** Kubernetes' $(VAR) expansion; an unknown variable stays as written, $$ escapes. */
    static String expand(String arg, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '$' && i + 1 < arg.length() && arg.charAt(i + 1) == '$') {
                out.append('$');
                i++;
            } else if (c == '$' && i + 1 < arg.length() && arg.charAt(i + 1) == '(' && arg.indexOf(')', i) > 0) {
                int end = arg.indexOf(')', i);
                String name = arg.substring(i + 2, end);
                out.append(env.containsKey(name) ? env.get(name) : arg.substring(i, end + 1));
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The exit code of a process that ended, or null while it runs (or before it started). */
    Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    /** Waits for the process to end; its exit code, or null when it still runs after {@code timeout}. */
    Integer awaitExit(java.time.Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int restarts() {
        return restarts;
    }

    void restart() throws IOException {
        restarts++;
        start();
    }

    java.time.Instant startedAt() {
        return startedAt;
    }

    Termination lastTermination() {
        return lastTermination;
    }

    /**
     * Called when the process was found ended: records the termination once (reason Error or Completed, the
     * termination message file or, with FallbackToLogsOnError and a failure, the log's tail) and sets the
     * back-off: the first restart is immediate, the next ones wait 10 s, 20 s, ... up to 5 min, and a run
     * longer than 10 min resets it, as the kubelet does.
     */
    void noteEnded(Path terminationFile) {
        if (process == null || process.isAlive() || (lastTermination != null && lastTermination.startedAt().equals(startedAt))) {
            return;
        }
        int exit = process.exitValue();
        java.time.Instant now = java.time.Instant.now();
        String message = null;
        try {
            if (terminationFile != null && java.nio.file.Files.exists(terminationFile)) {
                message = java.nio.file.Files.readString(terminationFile);
            }
        } catch (IOException e) {
            message = null;
        }
        if ((message == null || message.isBlank()) && exit != 0 && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
            message = logTail();
        }
        lastTermination = new Termination(exit, exit == 0 ? "Completed" : "Error", message == null || message.isBlank() ? null : message,
                startedAt, now);
        if (java.time.Duration.between(startedAt, now).compareTo(BACKOFF_RESET) > 0) {
            backOff = java.time.Duration.ZERO;
        }
        backOffUntil = now.plus(backOff);
        backOff = backOff.isZero() ? FIRST_BACKOFF : backOff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backOff.multipliedBy(2);
    }

    /** True while the kubelet would wait before restarting (CrashLoopBackOff); the current delay for messages. */
    boolean inBackOff() {
        return backOffUntil != null && java.time.Instant.now().isBefore(backOffUntil);
    }

    java.time.Duration currentBackOff() {
        return backOffUntil == null || lastTermination == null ? java.time.Duration.ZERO
                : java.time.Duration.between(lastTermination.finishedAt(), backOffUntil);
    }

    /** The last lines of this container's log, within the kubelet's limits for a fallback termination message. */
    String logTail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(logFile, java.nio.charset.StandardCharsets.UTF_8);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - FALLBACK_LINES), lines.size()));
            byte[] bytes = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return bytes.length <= FALLBACK_BYTES ? tail
                    : new String(bytes, bytes.length - FALLBACK_BYTES, FALLBACK_BYTES, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** SIGKILL to the whole process tree, no preStop hook: what a dead node does to its containers. */
    void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGSTOP to the container's main server process (the postmaster) alone: alive, its sockets open, the kernel
     * still accepting connections for it, answering nothing. A hung disk or a frozen node looks so; its backends and
     * WAL senders go on as long as they need nothing from it. {@link #thawServer} sends SIGCONT.
     */
    boolean freezeServer() {
        ProcessHandle server = serverProcess();
        if (server == null || !signal("STOP", server)) {
            return false;
        }
        frozen = server;
        frozenAt = java.time.Instant.now();
        return true;
    }

    boolean thawServer() {
        ProcessHandle server = frozen;
        frozen = null;
        return server != null && signal("CONT", server);
    }

    private static boolean signal(String name, ProcessHandle h) {
        try {
            return new ProcessBuilder("kill", "-" + name, String.valueOf(h.pid())).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The postmaster: the topmost process of the container's tree named postgres. */
    private ProcessHandle serverProcess() {
        if (process == null || !process.isAlive()) {
            return null;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        for (ProcessHandle h : all) {
            boolean isServer = h.info().command().map(cmd -> cmd.endsWith("/postgres")).orElse(false);
            boolean parentIsServer = h.parent().flatMap(pp -> pp.info().command()).map(cmd -> cmd.endsWith("/postgres")).orElse(false);
            if (isServer && !parentIsServer) {
                return h;
            }
        }
        return null;
    }

    /**
     * SIGKILL to the container's main server process alone (the postmaster: the topmost process named
     * postgres), as a crash does; its children notice and exit, and so does the container.
     */
    boolean crashServer() {
        ProcessHandle server = serverProcess();
        return server != null && server.destroyForcibly();
    }

    /** Runs the readiness probe's exec command; true when it exits 0 within its timeout. */
    boolean ready() {
        if (frozen != null && frozen.isAlive()) {
            // a real kubelet probes every few seconds and fails a pod after several misses: the pod stays Ready
            // that long (and this loop is not held for the probe's timeout on every pass)
            return java.time.Duration.between(frozenAt, java.time.Instant.now()).compareTo(FROZEN_STILL_READY) < 0;
        }
        if (isAlive() && container.getReadinessProbe() != null && container.getReadinessProbe().getTcpSocket() != null) {
            return tcpOpen(container.getReadinessProbe().getTcpSocket().getPort());
        }
        if (!isAlive() || container.getReadinessProbe() == null || container.getReadinessProbe().getExec() == null) {
            return isAlive();
        }
        return exec(container.getReadinessProbe().getExec().getCommand(), 5);
    }

    /** A tcpSocket probe: the container port (a number here) accepts a connection on its local port within a second. */
    private boolean tcpOpen(io.fabric8.kubernetes.api.model.IntOrString port) {
        if (port == null || port.getIntVal() == null) {
            return false;
        }
        int local = localPorts.getOrDefault(port.getIntVal(), port.getIntVal());
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", local), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** How long a frozen server's pod stays Ready: a readiness probe every 5 s, failed after 3 misses. */
    static final java.time.Duration FROZEN_STILL_READY = java.time.Duration.ofSeconds(15);

    /** Graceful stop as the kubelet does it: the preStop hook, then SIGTERM, then SIGKILL. */
    void stop() {
        if (process == null) {
            return;
        }
        if (frozen != null && frozen.isAlive()) {
            // the preStop hook (pg_ctl stop) would wait its minute on a server that answers nothing; the kubelet's
            // grace period ends in SIGKILL, which a stopped process receives
            frozen = null;
            kill();
            return;
        }
        if (process.isAlive() && container.getLifecycle() != null && container.getLifecycle().getPreStop() != null
                && container.getLifecycle().getPreStop().getExec() != null) {
            exec(container.getLifecycle().getPreStop().getExec().getCommand(), 60);
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    String name() {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private boolean exec(List<String> command, int timeoutSeconds) {
        List<String> cmd = new ArrayList<>(asServerUser ? LocalPostgres.asServerUser() : List.of());
        cmd.addAll(command);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.directory(workDir.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
