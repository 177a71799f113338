package io.shopdb.operator.api.v1alpha1;

/**
 * What {@code kubectl get} shows of every kind, first to last: the Ready condition's status and reason, the
 * kind's own columns (less important ones at priority 1, shown by {@code -o wide}), and Age. The columns are
 * listed on each kind in that order; the CRD generator sorts them by JSONPath, and
 * {@code io.shopdb.operator.api.PrinterColumnOrder} restores the declared order.
 */
public final class Columns {
    /** {@code kubectl get shopdb} lists every kind of this API (the alert runbooks use it). */
    public static final String CATEGORY = "shopdb";
    public static final String READY = ".status.conditions[?(@.type==\"Ready\")].status";
    public static final String REASON = ".status.conditions[?(@.type==\"Ready\")].reason";
    public static final String AGE = ".metadata.creationTimestamp";

    private Columns() {}
}
