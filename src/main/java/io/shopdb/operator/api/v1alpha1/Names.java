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

    private Names() {}
}
