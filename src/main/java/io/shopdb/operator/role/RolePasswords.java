package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.api.v1alpha1.SecretKeyReference;
import io.shopdb.operator.cluster.ClusterNames;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.kube.SecretLookup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;

/**
 * Where a login role's password comes from: the user's Secret (changing its value rotates the password),
 * or a Secret the operator generates and rotates on request (spec.passwordRotation).
 */
@ApplicationScoped
public class RolePasswords {
    @Inject KubernetesClient client;

    /** Either a password and its Secret, or why we wait. */
    public record Result(char[] password, String secretName, String waiting) {}

    public static String generatedSecretName(PostgresRole role) {
        return role.getMetadata().getName() + "-password";
    }

    public Result resolve(PostgresRole role, PostgresRoleStatus status, SecretLookup secrets) {
        String ns = role.getMetadata().getNamespace();
        SecretKeyReference ref = role.getSpec().getPasswordSecretRef();
        if (ref != null) {
            String key = ref.getPasswordKey() != null ? ref.getPasswordKey() : "password";
            char[] password = secrets.read(ns, ref.getName(), key);
            if (password == null) {
                return new Result(null, ref.getName(), "Secret " + ref.getName() + " with key " + key + " (spec.passwordSecretRef) was not found");
            }
            return new Result(password, ref.getName(), null);
        }
        String name = generatedSecretName(role);
        GeneratedSecrets.ensure(client, secrets, role, name, RoleSpecs.roleName(role),
                Map.of("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY, "shopdb.io/role", role.getMetadata().getName()),
                role.getSpec().getReclaimPolicy() == ReclaimPolicy.Delete, null);
        String rotation = role.getSpec().getPasswordRotation();
        if (rotation != null && !rotation.isEmpty() && !rotation.equals(status.getPasswordRotation())) {
            if (status.getPasswordSecret() != null) { // not on the first reconcile: the password is brand new
                GeneratedSecrets.rotate(client, ns, name);
                // the new password, not the cache's copy of the old one
                status.setPasswordRotation(rotation);
                return new Result(GeneratedSecrets.read(client, ns, name, "password"), name, null);
            }
            status.setPasswordRotation(rotation);
        }
        return new Result(secrets.read(ns, name, "password"), name, null);
    }
}
