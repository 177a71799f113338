package io.shopdb.operator.access;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.access.PoolerNames;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Secrets a managed cluster generates that hold its credentials and keys, by name, with what each is. Another
 * kind's spec may not read them (a PostgresRole's passwordSecretRef would copy one into the role's password and its
 * connection Secret). Only what the cluster's name fixes: a CA named in spec.tls.caSecretName, an external
 * cluster's adminSecretRef and a pooler's own Secrets need the objects themselves.
 */
public final class ClusterSecrets {
    private ClusterSecrets() {}

    public static Map<String, String> of(String clusterName) {
        PostgresCluster c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(clusterName).build());
        c.setSpec(new PostgresClusterSpec());
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put(ClusterNames.superuserSecret(c), "the cluster's superuser Secret");
        secrets.put(ClusterNames.superuserAppliedSecret(c), "the cluster's superuser Secret (the applied copy)");
        secrets.put(ClusterNames.replicationSecret(c), "the cluster's replication Secret");
        secrets.put(PoolerNames.authSecret(c), "the cluster's pooler lookup Secret");
        secrets.put(ClusterTls.caSecret(c), "the cluster's CA Secret");
        secrets.put(ClusterTls.serverSecret(c), "the cluster's server TLS Secret");
        return secrets;
    }
}
