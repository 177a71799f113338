package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.api.v1alpha1.SecretKeyReference;
import io.shopdb.operator.access.ClusterNames;
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

    /** Either a password and its Secret, or why we wait, or why the Secret may not be used ({@code refused}). */
    public record Result(char[] password, String secretName, String waiting, String refused) {
        Result(char[] password, String secretName, String waiting) {
            this(password, secretName, waiting, null);
        }
    }

    public static String generatedSecretName(PostgresRole role) {
        return role.getMetadata().getName() + "-password";
    }

    /**
     * Why a Secret the operator made for something else (a cluster's superuser or replication credentials, another
     * role's password or connection Secret, a pooler's) cannot become this role's password, or null when it may:
     * its value would be set on this role and copied into its connection Secret.
     */
    static String operatorsOwn(io.fabric8.kubernetes.api.model.Secret secret, PostgresRole role) {
        var labels = secret == null || secret.getMetadata().getLabels() == null ? Map.<String, String>of() : secret.getMetadata().getLabels();
        if (!ClusterNames.MANAGED_BY.equals(labels.get("app.kubernetes.io/managed-by"))) {
            return null;
        }
        return role.getMetadata().getName().equals(RoleSecretLabels.owner(secret)) ? null
                : "was made by the operator for something else (its credentials): give the role a Secret of its own";
    }

    public Result resolve(PostgresRole role, PostgresRoleStatus status, SecretLookup secrets) {
        String ns = role.getMetadata().getNamespace();
        SecretKeyReference ref = role.getSpec().getPasswordSecretRef();
        if (ref != null) {
            String key = ref.getPasswordKey() != null ? ref.getPasswordKey() : "password";
            String refusal = operatorsOwn(secrets.get(ns, ref.getName()), role);
            if (refusal != null) {
                return new Result(null, ref.getName(), null, "spec.passwordSecretRef: Secret " + ref.getName() + " " + refusal);
            }
            char[] password = secrets.read(ns, ref.getName(), key);
            if (password == null) {
                return new Result(null, ref.getName(), "Secret " + ref.getName() + " with key " + key + " (spec.passwordSecretRef) was not found");
            }
            return new Result(password, ref.getName(), null);
        }
        String name = generatedSecretName(role);
        GeneratedSecrets.ensure(client, secrets, role, name, RoleSpecs.roleName(role),
                RoleSecretLabels.of(role),
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
