package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.kube.DesiredState;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Generated credentials of a managed cluster. A password is made once and never rewritten by the operator.
 * The Secret is owned by the cluster (and so deleted with it) only under reclaimPolicy Delete: with Retain
 * the volumes survive, and so must the password that opens them.
 */
public final class ClusterCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private ClusterCredentials() {}

    /** Ensures the Secret exists with a username and a generated password; returns true when it wrote. */
    public static boolean ensure(KubernetesClient client, PostgresCluster c, String secretName, String username) {
        Secret existing = client.secrets().inNamespace(c.getMetadata().getNamespace()).withName(secretName).get();
        boolean owned = c.getSpec().getReclaimPolicy() == ReclaimPolicy.Delete;
        var owners = owned ? List.of(DesiredState.ownerReference(c)) : List.<io.fabric8.kubernetes.api.model.OwnerReference>of();
        if (existing == null) {
            client.resource(new SecretBuilder()
                    .withMetadata(ClusterObjects.meta(c, secretName))
                    .editMetadata().withOwnerReferences(owners).endMetadata()
                    .withType("kubernetes.io/basic-auth")
                    .addToData("username", base64(username))
                    .addToData("password", base64(new String(generatePassword(32))))
                    .build()).create();
            return true;
        }
        List<io.fabric8.kubernetes.api.model.OwnerReference> current = existing.getMetadata().getOwnerReferences();
        boolean isOwned = current != null && current.stream().anyMatch(o -> Objects.equals(o.getUid(), c.getMetadata().getUid()));
        if (isOwned != owned) {
            existing.getMetadata().setOwnerReferences(owners);
            client.resource(existing).update();
            return true;
        }
        return false;
    }

    /** Reads a key of a Secret as characters; null when the Secret or key is missing. */
    public static char[] read(KubernetesClient client, String namespace, String secretName, String key) {
        Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (s == null) {
            return null;
        }
        if (s.getData() != null && s.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8).toCharArray();
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return s.getStringData().get(key).toCharArray();
        }
        return null;
    }

    /** 32 characters from a 57-symbol alphabet: ~186 bits, and safe in URIs, pgpass files and shells. */
    public static char[] generatePassword(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return out;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
