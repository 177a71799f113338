package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * kube-controller-manager's garbage collector, background propagation: when an object is gone, each
 * dependent (an object with an ownerReference to its uid) that has no other existing owner is deleted,
 * through the API like any delete (so finalizers hold it and chains unwind); a dependent that still has
 * an owner only loses the dangling reference. An object created with owners that do not exist is
 * deleted too. It works asynchronously, as the real one does.
 */
final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);

    /** What the collector needs to know of an object: where it lives and whom it belongs to. */
    record Node(String uid, String path, List<String> owners) {
    }

    /** The writes the collector makes, through the API server's own rules. */
    interface Api {
        void delete(String path);

        void removeOwners(String path, List<String> uids);
    }

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-garbage-collector");
        t.setDaemon(true);
        return t;
    });
    private final Api api;

    GarbageCollector(Api api) {
        this.api = api;
    }

    /** Called for every stored change: {@code after} is null when the object was removed. */
    void observe(String path, JsonNode before, JsonNode after) {
        if (after == null) {
            if (before != null) {
                String uid = before.path("metadata").path("uid").asText();
                nodes.remove(uid);
                worker.execute(() -> ownerGone(uid));
            }
            return;
        }
        JsonNode meta = after.path("metadata");
        List<String> owners = new ArrayList<>();
        meta.path("ownerReferences").forEach(ref -> owners.add(ref.path("uid").asText()));
        Node node = new Node(meta.path("uid").asText(), path, List.copyOf(owners));
        nodes.put(node.uid(), node);
        if (!owners.isEmpty()) {
            worker.execute(() -> attemptToDelete(node.uid()));
        }
    }

    /** Dependents of {@code uid}, for orphaning. */
    List<Node> dependents(String uid) {
        return nodes.values().stream().filter(n -> n.owners().contains(uid)).toList();
    }

    private void ownerGone(String uid) {
        dependents(uid).forEach(n -> attemptToDelete(n.uid()));
    }

    private void attemptToDelete(String uid) {
        Node node = nodes.get(uid);
        if (node == null || node.owners().isEmpty()) {
            return;
        }
        List<String> dangling = node.owners().stream().filter(o -> !nodes.containsKey(o)).toList();
        try {
            if (dangling.size() == node.owners().size()) {
                LOG.debugf("garbage collector: deleting %s, its owners are gone", node.path());
                api.delete(node.path());
            } else if (!dangling.isEmpty()) {
                api.removeOwners(node.path(), dangling);
            }
        } catch (RuntimeException e) {
            LOG.debugf("garbage collector: %s: %s", node.path(), e.toString());
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
