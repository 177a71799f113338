package io.shopdb.operator.api.v1alpha1;

/** Patterns shared by the CRD schemas, so every kind validates names the same way. */
public final class Names {
    /** A Kubernetes DNS-1123 label: what a Service, and so a cluster name, must be. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** A Kubernetes DNS-1123 subdomain (Secrets, ConfigMaps). */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";
    /**
     * A PostgreSQL identifier the operator will create: 1..63 characters (PostgreSQL silently truncates
     * longer names), no NUL, no control characters. Quoting makes any other character safe.
     */
    public static final String PG_IDENTIFIER = "^[^\\x00-\\x1f\\x7f]{1,63}$";

    /**
     * Upper bounds of strings and lists. kube-apiserver estimates each CEL rule's cost from the largest value
     * a rule could see and refuses a CRD over budget; bounds also keep one object far below etcd's limit.
     */
    public static final int IDENTIFIER_MAX = 63;
    public static final int DNS_LABEL_MAX = 63;
    public static final int DNS_SUBDOMAIN_MAX = 253;
    /** A Secret or ConfigMap key (Kubernetes allows 253 characters). */
    public static final int KEY_MAX = 253;
    /** Free SQL text in a spec (a restore-drill check): a statement, not a script. */
    public static final int SQL_MAX = 4096;
    /** A postgresql.conf value or a Flyway placeholder value. */
    public static final int VALUE_MAX = 1024;
    /** Lists of names (databases, schemas, roles, grants): far beyond what one shop declares. */
    public static final int NAMES_MAX = 64;
    /** Lists of privileges: each value at most once, with room for repeats. */
    public static final int PRIVILEGES_MAX = 16;

    private Names() {}

    /**
     * A duration as the schemas spell it: 250ms, 2s, 15m, 1h (and combinations without ms, such as 4m2.5s, as the
     * status writes them), through java.time's ISO-8601 parser.
     */
    public static java.time.Duration duration(String text) {
        if (text.endsWith("ms")) {
            return java.time.Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        return java.time.Duration.parse("PT" + text.toUpperCase(java.util.Locale.ROOT));
    }
}
