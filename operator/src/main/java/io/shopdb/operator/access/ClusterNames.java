package io.shopdb.operator.access;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.kube.CachedObjects;

import java.util.Map;

/** Names and labels of the objects a PostgresCluster owns, in one place so builders and tests agree. */
public final class ClusterNames {
    public static final String CLUSTER_LABEL = "shopdb.io/cluster";
    public static final String ROLE_LABEL = "shopdb.io/role";
    public static final String ROLE_PRIMARY = "primary";
    public static final String ROLE_REPLICA = "replica";
    public static final String MANAGED_BY = CachedObjects.MANAGED_BY;
    public static final int PORT = 5432;
    public static final String SUPERUSER = "postgres";
    public static final String REPLICATION_USER = "replicator";

    private ClusterNames() {}

    public static String statefulSet(PostgresCluster c) { return c.getMetadata().getName(); }
    public static String headlessService(PostgresCluster c) { return c.getMetadata().getName() + "-headless"; }
    public static String writeService(PostgresCluster c) { return c.getMetadata().getName() + "-rw"; }
    public static String readService(PostgresCluster c) { return c.getMetadata().getName() + "-ro"; }
    public static String superuserSecret(PostgresCluster c) { return c.getMetadata().getName() + "-superuser"; }
    /** The copy of the superuser password last applied to the server (the rotation compares against it). */
    public static String superuserAppliedSecret(PostgresCluster c) { return c.getMetadata().getName() + "-superuser-applied"; }
    public static String replicationSecret(PostgresCluster c) { return c.getMetadata().getName() + "-replication"; }
    public static String configMap(PostgresCluster c) { return c.getMetadata().getName() + "-config"; }
    public static String disruptionBudget(PostgresCluster c) { return c.getMetadata().getName(); }
    public static String pod(PostgresCluster c, int ordinal) { return statefulSet(c) + "-" + ordinal; }

    /** Host name of one instance through the headless Service, stable across restarts. */
    public static String podHost(PostgresCluster c, String pod) {
        return pod + "." + headlessService(c) + "." + c.getMetadata().getNamespace() + ".svc";
    }

    /** The ordinal of an instance name, e.g. 2 for shop-db-2. */
    public static int ordinal(String pod) {
        return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
    }

    /** Labels on everything the cluster owns; the selector of its pods is the cluster label alone. */
    public static Map<String, String> labels(PostgresCluster c) {
        return Map.of(
                "app.kubernetes.io/name", "postgresql",
                "app.kubernetes.io/instance", c.getMetadata().getName(),
                "app.kubernetes.io/managed-by", MANAGED_BY,
                CLUSTER_LABEL, c.getMetadata().getName());
    }

    public static Map<String, String> selector(PostgresCluster c) {
        return Map.of(CLUSTER_LABEL, c.getMetadata().getName());
    }
}
