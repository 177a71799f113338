package io.shopdb.operator.sandbox.apiserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests the sandbox API server received, counted by client (User-Agent) and Kubernetes verb, and the last
 * ones kept in order: what a scale benchmark or a test reads to show that a steady state makes no writes and
 * no get/list calls (only watches). The verb is derived from the HTTP method and path as kube-apiserver's
 * audit log does: a GET of a collection is list, of one object get, with watch=true watch.
 */
public final class ApiRequests {
    private static final int KEPT = 20_000;

    /** One request, classified. */
    public record Request(String userAgent, String verb, String resource, String name, String path) {
        public boolean isRead() {
            return verb.equals("get") || verb.equals("list");
        }
    }

    /** A request with its position in arrival order. */
    public record Logged(long seq, Request request) {
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Deque<Logged> last = new ArrayDeque<>();
    private long seq;

    Request record(String method, String pathAndQuery, String userAgent) {
        Request r = classify(method, pathAndQuery, userAgent);
        counts.computeIfAbsent(r.userAgent() + " " + r.verb(), k -> new LongAdder()).increment();
        synchronized (last) {
            last.addLast(new Logged(++seq, r));
            if (last.size() > KEPT) {
                last.removeFirst();
            }
        }
        return r;
    }

    /** "user-agent verb" → count, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The position of the last request received; pass it to {@link #since}. */
    public long mark() {
        synchronized (last) {
            return seq;
        }
    }

    /** The requests received after {@code mark} (at most the last 20,000), in order. */
    public List<Logged> since(long mark) {
        synchronized (last) {
            List<Logged> out = new ArrayList<>();
            for (Logged l : last) {
                if (l.seq() > mark) {
                    out.add(l);
                }
            }
            return out;
        }
    }

    public static Request classify(String method, String pathAndQuery, String userAgent) {
        String path = pathAndQuery;
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        String[] parts = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        int start = parts.length > 0 && parts[0].equals("api") ? 2 : parts.length > 0 && parts[0].equals("apis") ? 3 : parts.length;
        String resource = null;
        String name = null;
        String subresource = null;
        if (start < parts.length) {
            int i = start;
            if (parts[i].equals("namespaces") && parts.length - i >= 3) {
                i += 2;
            }
            resource = parts[i];
            name = i + 1 < parts.length ? parts[i + 1] : null;
            subresource = i + 2 < parts.length ? parts[i + 2] : null;
        }
        String verb = switch (method.toUpperCase(java.util.Locale.ROOT)) {
            case "GET" -> query.contains("watch=true") || query.contains("watch=1") ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        String res = resource == null ? "" : subresource == null ? resource : resource + "/" + subresource;
        return new Request(userAgent == null ? "" : userAgent, verb, res, name, pathAndQuery);
    }
}
