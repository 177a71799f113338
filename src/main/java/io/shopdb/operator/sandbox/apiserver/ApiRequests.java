package io.shopdb.operator.sandbox.apiserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests the API server received, by verb and resource ({@code PATCH postgresroles/status},
 * {@code LIST secrets}, {@code WATCH pods}), like kube-apiserver's {@code apiserver_request_total}; and keeps
 * the last writes, so a test can assert that a steady state issues no Kubernetes write and say which one did.
 */
public final class ApiRequests {
    private static final int KEPT_WRITES = 200;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final Deque<String> lastWrites = new ArrayDeque<>();

    void record(String method, String path) {
        ApiPath api = ApiPath.parse(path);
        String resource = api == null ? ApiPath.bare(path) : api.plural() + (api.subresource() == null ? "" : "/" + api.subresource());
        String verb = switch (method) {
            case "GET" -> api == null ? "GET" : api.isWatch() ? "WATCH" : api.name() == null ? "LIST" : "GET";
            case "PUT" -> "UPDATE";
            case "POST" -> "CREATE";
            default -> method;
        };
        counts.computeIfAbsent(verb + " " + resource, k -> new LongAdder()).increment();
        if (!method.equals("GET")) {
            synchronized (lastWrites) {
                writes.incrementAndGet();
                lastWrites.addLast(method + " " + ApiPath.bare(path));
                if (lastWrites.size() > KEPT_WRITES) {
                    lastWrites.removeFirst();
                }
            }
        }
    }

    /** Creates, updates, patches and deletes received so far. */
    public long writes() {
        return writes.get();
    }

    /** The writes received after {@link #writes()} returned {@code mark} (the last 200 at most): {@code PATCH /apis/...}. */
    public List<String> writesSince(long mark) {
        synchronized (lastWrites) {
            int newer = (int) Math.min(writes.get() - mark, lastWrites.size());
            List<String> all = new ArrayList<>(lastWrites);
            return List.copyOf(all.subList(all.size() - newer, all.size()));
        }
    }

    /** Requests so far by verb and resource, sorted. */
    public Map<String, Long> byVerbAndResource() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
