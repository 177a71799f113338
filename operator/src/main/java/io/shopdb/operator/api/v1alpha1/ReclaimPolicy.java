package io.shopdb.operator.api.v1alpha1;

/** What deleting a custom resource does to the data it manages. Retain is always the default. */
public enum ReclaimPolicy {
    Retain, Delete
}
