package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.shopdb.operator.kube.ServiceAddresses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the sandbox runs a PgBouncer container ({@code pgbouncer <ini>}, the pooler pods): with the local
 * {@code /usr/sbin/pgbouncer} (Debian's package, the same binary the operator image carries) on a copy of the
 * mounted pgbouncer.ini to which PodEnvironment's rules are applied, since a config file has no environment
 * to map: paths under a mountPath get the volume's local directory (rule 1), listen_port the container port's
 * local port and listen_addr the loopback address (rule 2), and {@code host=... port=...} of [databases] the
 * local address of that Service or pod (rule 3, the Service proxy: a connection made after a switchover reaches
 * the new primary, as through a ClusterIP). The copy is written once, at container start: a pooler's new
 * configuration comes with a new pod (its template carries the configuration's hash).
 */
final class PgBouncerFiles {
    static final String LOCAL_BINARY = "/usr/sbin/pgbouncer";
    private static final Pattern HOST_PORT = Pattern.compile("host=(\\S+)\\s+port=(\\d+)");

    private PgBouncerFiles() {}

    static boolean isPgBouncer(Container c) {
        List<String> cmd = c.getCommand() == null ? List.of() : c.getCommand();
        return !cmd.isEmpty() && (cmd.get(0).equals("pgbouncer") || cmd.get(0).endsWith("/pgbouncer"));
    }

    /** The container to run locally: the local binary on the translated copy, written to {@code podDir}. */
    static Container localContainer(Container c, String namespace, Map<String, Path> volumeDirs, Map<Integer, Integer> localPorts,
                                    ServiceAddresses.Resolver resolver, Path podDir) throws IOException {
        List<String> args = new ArrayList<>(c.getCommand().subList(1, c.getCommand().size()));
        if (c.getArgs() != null) {
            args.addAll(c.getArgs());
        }
        List<String> local = new ArrayList<>(List.of(LOCAL_BINARY));
        for (String arg : args) {
            if (arg.endsWith(".ini")) {
                Path source = Path.of(mapPath(arg, c, volumeDirs));
                Path copy = podDir.resolve("pgbouncer-local.ini");
                Files.writeString(copy, translate(Files.readString(source), c, namespace, volumeDirs, localPorts, resolver));
                local.add(copy.toString());
            } else {
                local.add(arg);
            }
        }
        return new ContainerBuilder(c).withCommand(local).withArgs(List.of()).build();
    }

    static String translate(String ini, Container c, String namespace, Map<String, Path> volumeDirs, Map<Integer, Integer> localPorts,
                            ServiceAddresses.Resolver resolver) {
        StringBuilder out = new StringBuilder();
        String section = "";
        for (String line : ini.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("[")) {
                section = t;
            } else if (!t.isEmpty() && !t.startsWith(";") && !t.startsWith("#") && t.contains("=")) {
                int eq = line.indexOf('=');
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                if (section.equals("[databases]")) {
                    Matcher m = HOST_PORT.matcher(value);
                    if (m.find()) {
                        var a = resolver.resolve(namespace, m.group(1), Integer.parseInt(m.group(2)));
                        value = value.substring(0, m.start()) + "host=" + a.host() + " port=" + a.port() + value.substring(m.end());
                    }
                } else if (key.equals("listen_port") && value.matches("\\d+") && localPorts.containsKey(Integer.parseInt(value))) {
                    value = String.valueOf(localPorts.get(Integer.parseInt(value)));
                } else if (key.equals("listen_addr")) {
                    value = "127.0.0.1";
                } else {
                    value = mapPath(value, c, volumeDirs);
                }
                line = key + " = " + value;
            }
            out.append(line).append('\n');
        }
        return out.toString().replaceAll("\n$", "");
    }

    private static String mapPath(String value, Container c, Map<String, Path> volumeDirs) {
        List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts().stream()
                .sorted(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed()).toList();
        for (VolumeMount m : mounts) {
            if (value.startsWith(m.getMountPath()) && volumeDirs.containsKey(m.getName())) {
                return volumeDirs.get(m.getName()) + value.substring(m.getMountPath().length());
            }
        }
        return value;
    }
}
