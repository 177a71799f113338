package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.shopdb.operator.kube.ServiceAddresses;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * For each role connection Secret (label {@code shopdb.io/postgresrole}), one {@code psql} command a user can paste to
 * connect to the sandbox's local server as that role. The password is read by the command from the Secret
 * through kubectl; it is never printed.
 */
final class ConnectionHints {
    static final String ROLE_LABEL = io.shopdb.operator.role.RoleSecretLabels.OWNER;
    private final KubernetesClient client;
    /** A Service's stable local address (its proxy, as a ClusterIP): after a failover it leads to the new primary. */
    private final ServiceAddresses.Resolver services;
    private final Path kubeconfig;
    /** More roles than this get one summary line instead of a command each. */
    static final int MAX_LINES = 20;
    private final Set<String> shown = new HashSet<>();
    private boolean summarized;
    /** The role Secrets, from an informer started on the first pass: a pass reads its store, not the API server. */
    private SharedIndexInformer<Secret> secrets;

    ConnectionHints(KubernetesClient client, ServiceAddresses.Resolver services, Path kubeconfig) {
        this.client = client;
        this.services = services;
        this.kubeconfig = kubeconfig;
    }

    /** Lines for the connection Secrets not shown before (a Secret whose server is not running yet waits). */
    void close() {
        if (secrets != null) {
            secrets.close();
        }
    }

    List<String> newLines() {
        List<String> lines = new ArrayList<>();
        if (secrets == null) {
            secrets = client.secrets().inAnyNamespace().withLabel(ROLE_LABEL).inform();
        }
        List<Secret> all = new ArrayList<>(secrets.getStore().list());
        all.sort(java.util.Comparator.comparing((Secret s) -> s.getMetadata().getNamespace()).thenComparing(s -> s.getMetadata().getName()));
        for (Secret s : all) {
            String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
            if (shown.contains(key) || s.getData() == null || !s.getData().containsKey("host")) {
                continue;
            }
            try {
                String line = line(s);
                shown.add(key);
                if (shown.size() <= MAX_LINES) {
                    lines.add(line);
                } else if (!summarized) {
                    summarized = true;
                    lines.add("sandbox: more roles than " + MAX_LINES + ": their connection Secrets are listed by kubectl --kubeconfig "
                            + kubeconfig + " get secrets -A -l " + ROLE_LABEL);
                }
            } catch (ServiceAddresses.NoEndpointException | IllegalArgumentException e) {
                // no local endpoint yet: show it on a later pass
            }
        }
        return lines;
    }

    String line(Secret s) {
        String ns = s.getMetadata().getNamespace();
        String host = decode(s, "host");
        int port = Integer.parseInt(decode(s, "port"));
        String user = decode(s, "user");
        String database = decode(s, "database");
        // in-cluster host names are <service>.<namespace>.svc...: the sandbox serves each Service on a local port of
        // its own (not the port of the pod behind it now, which a failover would leave behind)
        ServiceAddresses.Address local = host.contains(".svc") ? services.resolve(ns, host.substring(0, host.indexOf('.')), port)
                : new ServiceAddresses.Address(host, port);
        return "sandbox: connect as " + user + ": PGPASSWORD=\"$(kubectl --kubeconfig " + kubeconfig + " -n " + ns
                + " get secret " + s.getMetadata().getName() + " -o jsonpath='{.data.password}' | base64 -d)\" psql -h "
                + local.host() + " -p " + local.port() + " -U " + user + " " + database;
    }

    private static String decode(Secret s, String key) {
        String v = s.getData().get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
    }
}
