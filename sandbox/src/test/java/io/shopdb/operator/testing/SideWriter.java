package io.shopdb.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sandbox.LocalKubelet;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Commits one row at a time into {@code orders(id)} on one instance's own address, as a client on its side of a
 * partition does (the sandbox annotation cut-off leaves that path open), reconnecting on errors. For each row it
 * keeps when it was sent and when it was acknowledged (System.nanoTime): its commit lies between the two.
 */
public final class SideWriter {
    public record Commit(long sent, long acknowledged) {}

    private final LocalKubelet kubelet;
    private final KubernetesClient client;
    private final String namespace;
    private final String cluster;
    private final String pod;
    private final long firstId;
    private final List<Commit> commits = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private Thread thread;

    /** Ids from {@code firstId} upwards, so two writers never collide. */
    public SideWriter(LocalKubelet kubelet, KubernetesClient client, String namespace, String cluster, String pod, long firstId) {
        this.kubelet = kubelet;
        this.client = client;
        this.namespace = namespace;
        this.cluster = cluster;
        this.pod = pod;
        this.firstId = firstId;
    }

    public SideWriter start() {
        thread = new Thread(() -> {
            long next = firstId;
            while (running) {
                try {
                    var a = kubelet.podAddress(namespace, pod, 5432);
                    char[] password = ClusterCredentials.read(client, namespace, cluster + "-superuser", "password");
                    // TLS without verification: pg_hba admits TLS only; the instance's name is not what is tested here
                    try (Connection c = PgConnections.open(new PgEndpoint(a.host(), a.port(), "postgres", "postgres", password, "require"), 1, 2);
                         var ps = c.prepareStatement("INSERT INTO orders VALUES (?)")) {
                        while (running) {
                            ps.setLong(1, next++);
                            long sent = System.nanoTime();
                            ps.executeUpdate();
                            commits.add(new Commit(sent, System.nanoTime()));
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // a client's reconnect pace
                }
            }
        }, "side-writer-" + pod);
        thread.start();
        return this;
    }

    public List<Commit> commits() {
        synchronized (commits) {
            return List.copyOf(commits);
        }
    }

    public boolean wroteAny() {
        return !commits.isEmpty();
    }

    public void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
