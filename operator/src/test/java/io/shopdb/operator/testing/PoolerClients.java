package io.shopdb.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.access.PoolerNames;
import io.shopdb.operator.sql.PgBouncerConsole;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;

/**
 * A sandbox test's clients of a pooler, as an application in the cluster would be: TLS with verify-full against
 * the CA of the pooler's TLS Secret and the Service's name {@code <pooler>.<ns>.svc}, dialled at its sandbox
 * address (PgBouncer refuses plaintext).
 */
public final class PoolerClients {
    private PoolerClients() {}

    public static ServerTrust trust(KubernetesClient client, String ns, String pooler) {
        String ca = GeneratedSecrets.value(client.secrets().inNamespace(ns).withName(pooler + "-tls").get(), "ca.crt");
        return new ServerTrust(ca, pooler + "." + ns + ".svc");
    }

    public static PgEndpoint endpoint(KubernetesClient client, ServiceAddresses addresses, String ns, String pooler,
                                      String database, String user, char[] password) {
        var a = addresses.resolve(ns, pooler, 5432);
        return new PgEndpoint(a.host(), a.port(), database, user, password, "verify-full", trust(client, ns, pooler));
    }

    /** The console of whichever pod the Service picks. */
    public static PgBouncerConsole console(KubernetesClient client, ServiceAddresses addresses, String ns, String pooler, int timeoutSeconds) {
        var a = addresses.resolve(ns, pooler, 5432);
        char[] password = GeneratedSecrets.read(client, ns, pooler + "-admin", "password");
        return new PgBouncerConsole(a.host(), a.port(), PoolerNames.ADMIN_USER, password, timeoutSeconds, trust(client, ns, pooler));
    }
}
