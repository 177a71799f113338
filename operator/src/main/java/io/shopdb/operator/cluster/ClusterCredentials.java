package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.kube.GeneratedSecrets;

/** The generated superuser and replication credentials of a managed cluster (see {@link GeneratedSecrets}). */
public final class ClusterCredentials {
    private ClusterCredentials() {}

    public static boolean ensure(KubernetesClient client, PostgresCluster c, String secretName, String username) {
        return GeneratedSecrets.ensure(client, c, secretName, username, ClusterNames.labels(c),
                c.getSpec().getReclaimPolicy() == ReclaimPolicy.Delete);
    }

    /** As {@link #ensure(KubernetesClient, PostgresCluster, String, String)}; a new Secret gets {@code initialPassword} if given. */
    public static boolean ensure(KubernetesClient client, PostgresCluster c, String secretName, String username, char[] initialPassword) {
        return GeneratedSecrets.ensure(client, c, secretName, username, ClusterNames.labels(c),
                c.getSpec().getReclaimPolicy() == ReclaimPolicy.Delete, initialPassword);
    }

    public static char[] read(KubernetesClient client, String namespace, String secretName, String key) {
        return GeneratedSecrets.read(client, namespace, secretName, key);
    }
}
