package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.shopdb.operator.kube.ServiceAddresses;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Translates a container's environment from cluster terms to this machine, by three documented rules:
 * <ol>
 *   <li>paths: a value that starts with a volume's mountPath starts with that volume's local directory instead;</li>
 *   <li>own ports: a variable named *PORT whose value is one of the pod's container ports gets its local port (the
 *       containers of a pod share its network, so a sidecar reaches the server's port too);</li>
 *   <li>peers: a pair X_HOST / X_PORT whose host is a Service or pod DNS name gets the local address it maps to;</li>
 *   <li>termination message: a value equal to the container's terminationMessagePath gets a local file.</li>
 * </ol>
 * Secret and field references are resolved like the kubelet does. PATH gets the local PostgreSQL binaries of the image's major ({@link OtherMajors}).
 */
final class PodEnvironment {
    private PodEnvironment() {}

    /** The container cannot be created: the kubelet's CreateContainerConfigError, with its message text. */
    static final class ConfigException extends IllegalStateException {
        ConfigException(String message) { super(message); }
    }

    static Map<String, String> build(Pod pod, Container container, Map<String, Path> volumeDirs, Map<Integer, Integer> localPorts,
                                     BiFunction<String, String, Map<String, String>> secretData, ServiceAddresses.Resolver resolver) {
        return build(pod, container, volumeDirs, localPorts, secretData, resolver, null);
    }

    /**
     * As above, plus rule 4: a variable whose value is the container's terminationMessagePath
     * (default /dev/termination-log) gets {@code terminationFile}, the local file the kubelet reads back.
     */
    static Map<String, String> build(Pod pod, Container container, Map<String, Path> volumeDirs, Map<Integer, Integer> localPorts,
                                     BiFunction<String, String, Map<String, String>> secretData, ServiceAddresses.Resolver resolver,
                                     Path terminationFile) {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", volumeDirs.values().stream().findFirst().map(Path::toString).orElse("/tmp"));
        env.put("LANG", "C.UTF-8");
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            env.put(var.getName(), value(pod, var, secretData));
        }
        List<VolumeMount> mounts = container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts().stream()
                .sorted(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed()).toList();
        // the pod's containers share one network namespace: a port of any of them is the pod's, for all of them
        List<Integer> ports = pod.getSpec().getContainers().stream().filter(c -> c.getPorts() != null)
                .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getContainerPort).filter(localPorts::containsKey).toList();
        for (var e : env.entrySet()) {
            String v = e.getValue();
            if (v == null) {
                continue;
            }
            for (VolumeMount m : mounts) {
                if (v.startsWith(m.getMountPath()) && volumeDirs.containsKey(m.getName())) {
                    e.setValue(volumeDirs.get(m.getName()) + v.substring(m.getMountPath().length()));
                    break;
                }
            }
        }
        String terminationPath = container.getTerminationMessagePath() == null ? "/dev/termination-log" : container.getTerminationMessagePath();
        if (terminationFile != null) {
            env.replaceAll((k, v) -> terminationPath.equals(v) ? terminationFile.toString() : v);
        }
        for (var e : env.entrySet()) {
            String name = e.getKey();
            if (name.endsWith("_HOST") && e.getValue() != null) {
                String portVar = name.substring(0, name.length() - "_HOST".length()) + "_PORT";
                int port = env.containsKey(portVar) ? Integer.parseInt(env.get(portVar)) : 5432;
                var address = resolver.resolve(ns, e.getValue(), port);
                e.setValue(address.host());
                env.put(portVar, String.valueOf(address.port()));
            }
        }
        for (var e : env.entrySet()) {
            boolean paired = e.getKey().endsWith("_PORT") && env.containsKey(e.getKey().substring(0, e.getKey().length() - 5) + "_HOST");
            if (e.getKey().endsWith("PORT") && !paired
                    && e.getValue() != null && e.getValue().matches("[0-9]+") && ports.contains(Integer.parseInt(e.getValue()))) {
                e.setValue(String.valueOf(localPorts.get(Integer.parseInt(e.getValue()))));
            }
        }
        // this machine's folders, set after the path rule: the binaries may lie under a folder a volume is mounted at (/tmp)
        env.putIfAbsent("PATH", OtherMajors.path(container.getImage()) + ":/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    private static String value(Pod pod, EnvVar var, BiFunction<String, String, Map<String, String>> secretData) {
        if (var.getValueFrom() == null) {
            return var.getValue() == null ? "" : var.getValue();
        }
        var from = var.getValueFrom();
        if (from.getFieldRef() != null) {
            return switch (from.getFieldRef().getFieldPath()) {
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.namespace" -> pod.getMetadata().getNamespace();
                case "status.podIP", "status.hostIP" -> "127.0.0.1";
                default -> "";
            };
        }
        if (from.getSecretKeyRef() != null) {
            String secret = from.getSecretKeyRef().getName();
            Map<String, String> data = secretData.apply(pod.getMetadata().getNamespace(), secret);
            String encoded = data == null ? null : data.get(from.getSecretKeyRef().getKey());
            boolean optional = Boolean.TRUE.equals(from.getSecretKeyRef().getOptional());
            if (encoded == null && optional) {
                return "";
            }
            if (data == null) {
                throw new ConfigException("secret \"" + secret + "\" not found");
            }
            if (encoded == null) {
                throw new ConfigException("couldn't find key " + from.getSecretKeyRef().getKey() + " in Secret "
                        + pod.getMetadata().getNamespace() + "/" + secret);
            }
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
        return "";
    }
}
