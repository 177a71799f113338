package io.shopdb.operator.sandbox.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource request path of the Kubernetes API, split into its parts:
 * {@code /api/v1/namespaces/ns/pods/name/status?watch=true} or {@code /apis/group/version/plural}.
 *
 * @param group       empty for the core group ({@code /api/v1})
 * @param namespace   null for cluster-wide paths
 * @param name        null for collections
 * @param subresource null, {@code status}, {@code scale}, ...
 * @param query       decoded query parameters
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource,
               Map<String, String> query) {
    private static final Pattern PATH = Pattern.compile(
            "/(?:api|apis/(?<group>[^/]+))/(?<version>[^/]+)(?:/namespaces/(?<ns>[^/]+))?/(?<plural>[^/]+)(?:/(?<name>[^/]+))?(?:/(?<sub>[^/]+))?");

    /** The parsed path, or null when {@code path} is not a resource path (discovery, /version, ...). */
    static ApiPath parse(String path) {
        int q = path.indexOf('?');
        String bare = q < 0 ? path : path.substring(0, q);
        Matcher m = PATH.matcher(bare);
        if (!m.matches()) {
            return null;
        }
        String ns = m.group("ns");
        String plural = m.group("plural");
        String name = m.group("name");
        return new ApiPath(m.group("group") == null ? "" : m.group("group"), m.group("version"), ns, plural, name,
                m.group("sub"), query(q < 0 ? "" : path.substring(q + 1)));
    }

    static String bare(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    boolean isStatus() {
        return name != null && "status".equals(subresource);
    }

    boolean isWatch() {
        return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    }

    /** This path without subresource and query: the object itself (or the collection). */
    String objectPath() {
        return prefix(group, version) + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural
                + (name == null ? "" : "/" + name);
    }

    static String prefix(String group, String version) {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    static String objectPath(String group, String version, String plural, String namespace, String name) {
        return prefix(group, version) + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural + "/" + name;
    }
}
