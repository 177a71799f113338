package io.shopdb.operator.sandbox.apiserver;

import java.util.List;

/**
 * One resource of the API as discovery describes it, plus what the server needs to treat it like
 * kube-apiserver: whether it has a status subresource and which columns {@code kubectl get} shows.
 */
record ResourceType(String group, String version, String plural, String singular, String kind, boolean namespaced,
                    List<String> shortNames, List<String> categories, boolean statusSubresource,
                    List<Column> columns) {
    static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** A printer column: CRD {@code additionalPrinterColumns}, or a built-in kind's default. */
    record Column(String name, String type, String format, String description, int priority, String jsonPath) {
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    static ResourceType builtIn(String group, String kind, String plural, boolean namespaced, boolean status,
                                List<String> shortNames, List<String> categories, Column... columns) {
        return new ResourceType(group.contains("/") ? group.substring(0, group.indexOf('/')) : "",
                group.contains("/") ? group.substring(group.indexOf('/') + 1) : group,
                plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced, shortNames, categories, status, List.of(columns));
    }
}
