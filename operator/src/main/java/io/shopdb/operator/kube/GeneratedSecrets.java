package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Credentials the operator generates. A password is made once and only replaced on an explicit rotation.
 * The Secret is owned by (deleted with) its resource only when that resource's reclaimPolicy is Delete:
 * when the data or role is retained, so must be the password that opens it.
 */
public final class GeneratedSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private GeneratedSecrets() {}

    /** Ensures the Secret exists with username and a generated password; returns true when it wrote. */
    public static boolean ensure(KubernetesClient client, HasMetadata owner, String secretName, String username,
                                 Map<String, String> labels, boolean ownedByOwner) {
        return ensure(client, owner, secretName, username, labels, ownedByOwner, null);
    }

    /** As above; a Secret created now gets {@code initialPassword} when given (e.g. copied from a source cluster). */
    public static boolean ensure(KubernetesClient client, HasMetadata owner, String secretName, String username,
                                 Map<String, String> labels, boolean ownedByOwner, char[] initialPassword) {
        return ensure(client, SecretLookup.api(client), owner, secretName, username, labels, ownedByOwner, initialPassword);
    }

    /** As above, reading the current Secret through {@code secrets} (an informer cache in a reconcile). */
    public static boolean ensure(KubernetesClient client, SecretLookup secrets, HasMetadata owner, String secretName, String username,
                                 Map<String, String> labels, boolean ownedByOwner, char[] initialPassword) {
        String ns = owner.getMetadata().getNamespace();
        Secret existing = secrets.get(ns, secretName);
        List<OwnerReference> owners = ownedByOwner ? List.of(DesiredState.ownerReference(owner)) : List.of();
        if (existing == null) {
            try {
                client.resource(secret(ns, secretName, labels, owners, username,
                        initialPassword != null ? initialPassword : generatePassword(32))).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                return false; // created meanwhile (a cache a moment behind): never replace a password
            }
            return true;
        }
        List<OwnerReference> current = existing.getMetadata().getOwnerReferences();
        boolean isOwned = current != null && current.stream().anyMatch(o -> Objects.equals(o.getUid(), owner.getMetadata().getUid()));
        if (isOwned != ownedByOwner) {
            existing.getMetadata().setOwnerReferences(owners);
            client.resource(existing).update();
            return true;
        }
        return false;
    }

    /** The Secret as created (pure): basic-auth, labelled as made by the operator (see {@link CachedObjects}). */
    static Secret secret(String namespace, String secretName, Map<String, String> labels, List<OwnerReference> owners,
                         String username, char[] password) {
        return new SecretBuilder()
                .withNewMetadata().withName(secretName).withNamespace(namespace).withLabels(CachedObjects.madeByOperator(labels))
                .withOwnerReferences(owners).endMetadata()
                .withType("kubernetes.io/basic-auth")
                .addToData("username", base64(username))
                .addToData("password", base64(new String(password)))
                .build();
    }

    /** Replaces the password in an existing generated Secret (an explicit rotation). */
    public static void rotate(KubernetesClient client, String namespace, String secretName) {
        client.secrets().inNamespace(namespace).withName(secretName).edit(s -> {
            s.getData().put("password", base64(new String(generatePassword(32))));
            return s;
        });
    }

    /** Reads a key of a Secret as characters; null when the Secret or key is missing. */
    public static char[] read(KubernetesClient client, String namespace, String secretName, String key) {
        return SecretLookup.api(client).read(namespace, secretName, key);
    }

    /** A key of a Secret as text (see SecretLookup.value); null when the Secret or key is missing. */
    public static String value(Secret s, String key) {
        char[] v = SecretLookup.value(s, key);
        return v == null ? null : new String(v);
    }

    /** 32 characters from a 57-symbol alphabet: ~186 bits, and safe in URIs, pgpass files and shells. */
    public static char[] generatePassword(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return out;
    }

    public static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
