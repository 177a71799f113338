package io.shopdb.operator.sandbox;

import io.shopdb.operator.kube.ServiceAddresses;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox's kube-proxy: a Service seen from inside a pod is one stable address (its ClusterIP), and each
 * new connection goes to a ready endpoint chosen at connect time. So a replica streaming from the -rw Service
 * reconnects to the promoted primary after a failover, as it would in Kubernetes, instead of to the local
 * port that served the Service when the pod started. Established connections stay with their endpoint until
 * it closes them, like conntrack entries.
 */
final class ServiceProxies {
    private static final Logger LOG = Logger.getLogger(ServiceProxies.class);

    private final ServiceAddresses.Resolver endpoints;
    private final Map<String, ServerSocket> listeners = new ConcurrentHashMap<>();
    /** Open upstream connections by backend port, so a pod cut off from the network loses them (see {@link #dropTo}). */
    private final Map<Integer, java.util.Set<Socket>> upstreams = new ConcurrentHashMap<>();

    /** {@code endpoints}: picks a ready endpoint of a Service now, or throws NoEndpointException. */
    ServiceProxies(ServiceAddresses.Resolver endpoints) {
        this.endpoints = endpoints;
    }

    /** The stable local address of a Service port, opened on first use. */
    ServiceAddresses.Address address(String namespace, String service, int port) {
        String key = namespace + "/" + service + ":" + port;
        ServerSocket listener = listeners.computeIfAbsent(key, k -> open(namespace, service, port));
        return new ServiceAddresses.Address("127.0.0.1", listener.getLocalPort());
    }

    private ServerSocket open(String namespace, String service, int port) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> acceptLoop(listener, namespace, service, port), "sandbox-proxy-" + service);
            accept.setDaemon(true);
            accept.start();
            return listener;
        } catch (IOException e) {
            throw new IllegalStateException("sandbox: cannot open a proxy port for Service " + service, e);
        }
    }

    private void acceptLoop(ServerSocket listener, String namespace, String service, int port) {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                ServiceAddresses.Address backend = endpoints.resolve(namespace, service, port);
                Socket upstream = new Socket(backend.host(), backend.port());
                upstreams.computeIfAbsent(backend.port(), k -> ConcurrentHashMap.newKeySet()).add(upstream);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                pipe(client, upstream, service);
                pipe(upstream, client, service);
            } catch (IOException | RuntimeException e) {
                // no ready endpoint or it refused: the client sees the connection closed, as with a real Service
                LOG.debugf("sandbox: Service %s/%s: %s", namespace, service, e.getMessage());
                closeQuietly(client);
            }
        }
    }

    private static void pipe(Socket from, Socket to, String service) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "sandbox-proxy-" + service + "-io");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every proxied connection to {@code backendPort} (a partition: both ends see the connection end). */
    void dropTo(int backendPort) {
        var open = upstreams.remove(backendPort);
        if (open != null) {
            open.forEach(ServiceProxies::closeQuietly);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    void closeAll() {
        listeners.values().forEach(l -> {
            try {
                l.close();
            } catch (IOException e) {
                // already closed
            }
        });
        listeners.clear();
    }
}
