package io.shopdb.operator.access;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;

/** Names shared by every pooler of a cluster. */
public final class PoolerNames {
    /** The login PgBouncer runs auth_query as; it may only execute the lookup function. */
    public static final String AUTH_ROLE = "shopdb_pooler";
    /** PgBouncer's console user (in userlist.txt only, not a PostgreSQL role): PAUSE/RESUME and SHOW for the operator. */
    public static final String ADMIN_USER = "shopdb_pooler_admin";

    private PoolerNames() {}

    /** Password of the lookup role, one per cluster, owned by the cluster. */
    public static String authSecret(PostgresCluster c) {
        return c.getMetadata().getName() + "-pooler-auth";
    }
}
