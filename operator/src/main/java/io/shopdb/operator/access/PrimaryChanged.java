package io.shopdb.operator.access;

/**
 * A new primary took over: by failover ({@code planned} false) or switchover. Fired as a CDI event so the
 * metrics (ops/) count it without the cluster package depending on them.
 */
public record PrimaryChanged(String namespace, String cluster, String from, String to, boolean planned) {}
