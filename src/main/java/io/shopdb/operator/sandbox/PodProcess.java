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
 * Probes and the preStop hook are the pod spec's own commands, run the same way.
 */
final class PodProcess {
    private final Pod pod;
    private final Container container;
    private final Map<String, String> env;
    private final Path logFile;
    private final Path workDir;
    private Process process;
    private int restarts;

    PodProcess(Pod pod, Container container, Map<String, String> env, Path workDir, Path logFile) {
        this.pod = pod;
        this.workDir = workDir;
        this.container = container;
        this.env = env;
        this.logFile = logFile;
    }

    void start() throws IOException {
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(container.getCommand() == null ? List.of() : container.getCommand());
        cmd.addAll(container.getArgs() == null ? List.of() : container.getArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.directory(workDir.toFile());
        process = pb.start();
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

    /** Runs the readiness probe's exec command; true when it exits 0 within its timeout. */
    boolean ready() {
        if (!isAlive() || container.getReadinessProbe() == null || container.getReadinessProbe().getExec() == null) {
            return isAlive();
        }
        return exec(container.getReadinessProbe().getExec().getCommand(), 5);
    }

    /** Graceful stop as the kubelet does it: the preStop hook, then SIGTERM, then SIGKILL. */
    void stop() {
        if (process == null) {
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
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
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
