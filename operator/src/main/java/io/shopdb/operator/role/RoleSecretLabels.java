package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.Secret;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.api.v1alpha1.PostgresRole;

import java.util.Map;

/** The labels on the Secrets the operator makes for a PostgresRole: its generated password and its connection Secret. */
public final class RoleSecretLabels {
    /** The owning PostgresRole's name. A label of its own: on pods, shopdb.io/role means primary or replica. */
    public static final String OWNER = "shopdb.io/postgresrole";
    /** The owner label of Secrets written before it had a name of its own; read, never written. */
    static final String LEGACY_OWNER = "shopdb.io/role";

    private RoleSecretLabels() {}

    public static Map<String, String> of(PostgresRole role) {
        return Map.of("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY, OWNER, role.getMetadata().getName());
    }

    /** The name of the PostgresRole a Secret was made for, or null when the operator made it for no role. */
    public static String owner(Secret secret) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        if (labels == null) {
            return null;
        }
        return labels.containsKey(OWNER) ? labels.get(OWNER) : labels.get(LEGACY_OWNER);
    }
}
