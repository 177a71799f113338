package io.shopdb.operator.tls;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.kube.CachedObjects;
import io.shopdb.operator.kube.DesiredState;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The two Secrets behind a cluster's TLS: {@code <cluster>-ca} (ca.crt, ca.key: the operator's own CA, made
 * once) unless the user names a CA Secret, and {@code <cluster>-server-tls} (kubernetes.io/tls with ca.crt:
 * what the instances mount). The server certificate is (re)issued only when {@link Renewal} says so, so a
 * steady state reads two Secrets and writes nothing. Keys never leave the Secrets: no log, no status.
 * Other certificates the cluster's CA signs (a pooler's, {@link #ensureIssued}) are made and renewed the same way.
 */
public final class ClusterTlsSecrets {
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";

    /** What to ensure: the owner (a PostgresCluster), Secret names, and the names the certificate must carry. */
    public record Request(HasMetadata owner, Map<String, String> labels, String caSecret, String userCaSecret,
                          String serverSecret, List<String> serverNames) {}

    /** The current server certificate and CA, and what was done. */
    public record Result(Renewal.Reason issued, X509Certificate server, String caPem) {
        public boolean wrote() { return issued != Renewal.Reason.NONE; }
    }

    /** The CA cannot be used; {@code retryable} when it may still appear (GitOps order), else a person must act. */
    public static class CaException extends Exception {
        private final boolean retryable;
        public CaException(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }
        public boolean retryable() { return retryable; }
    }

    private ClusterTlsSecrets() {}

    public static Result ensure(KubernetesClient client, Request r, Instant now) throws CaException {
        String ns = r.owner().getMetadata().getNamespace();
        CertificateAuthority ca = r.userCaSecret() != null ? userCa(client, ns, r.userCaSecret()) : ownCa(client, r, now);
        Secret server = client.secrets().inNamespace(ns).withName(r.serverSecret()).get();
        return ensureIssued(client, ca, new Issue(r.owner(), r.labels(), r.serverSecret(), r.serverNames()), server, now);
    }

    /** A kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) signed by a cluster's CA: its owner, name and DNS names. */
    public record Issue(HasMetadata owner, Map<String, String> labels, String secret, List<String> names) {}

    /** What {@link #plan} decided: the result, and the Secret to write (null when the current one still serves). */
    public record Plan(Result result, Secret write) {}

    /**
     * Writes {@code issue}'s Secret when {@link Renewal} says it must be (re)issued; {@code current} is the Secret
     * as read (from a cache or the API), null when there is none. The server certificate and any other
     * certificate of a cluster (its poolers') go through here, so they renew by the same rule.
     */
    public static Result ensureIssued(KubernetesClient client, CertificateAuthority ca, Issue issue, Secret current, Instant now) {
        Plan plan = plan(ca, issue, current, now);
        if (plan.write() != null) {
            if (current == null) {
                client.resource(plan.write()).create();
            } else {
                plan.write().getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                client.resource(plan.write()).update();
            }
        }
        return plan.result();
    }

    /** Pure: keep {@code current}, or the new Secret to write and why. */
    public static Plan plan(CertificateAuthority ca, Issue issue, Secret current, Instant now) {
        X509Certificate certificate = null;
        String currentPem = value(current, "tls.crt");
        if (currentPem != null) {
            try {
                certificate = Pem.readCertificate(currentPem);
            } catch (IllegalArgumentException e) {
                certificate = null; // unreadable: issue a new one
            }
        }
        Renewal.Reason reason = Renewal.decide(certificate, ca.certificate(), issue.names(), now);
        if (reason == Renewal.Reason.NONE) {
            return new Plan(new Result(reason, certificate, value(current, CA_CERT) != null ? value(current, CA_CERT) : ca.certificatePem()), null);
        }
        CertificateAuthority.Issued issued = ca.issueServer(issue.names(), SERVER_VALIDITY, now);
        Secret desired = new SecretBuilder()
                .withNewMetadata().withName(issue.secret()).withNamespace(issue.owner().getMetadata().getNamespace()).withLabels(CachedObjects.madeByOperator(issue.labels()))
                .withOwnerReferences(DesiredState.ownerReference(issue.owner())).endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(issued.certificatePem()))
                .addToData("tls.key", base64(issued.keyPem()))
                .addToData(CA_CERT, base64(ca.certificatePem()))
                .build();
        return new Plan(new Result(reason, issued.certificate(), ca.certificatePem()), desired);
    }

    private static CertificateAuthority ownCa(KubernetesClient client, Request r, Instant now) throws CaException {
        String ns = r.owner().getMetadata().getNamespace();
        Secret secret = client.secrets().inNamespace(ns).withName(r.caSecret()).get();
        if (secret == null) {
            CertificateAuthority ca = CertificateAuthority.generate(r.owner().getMetadata().getName() + "-ca", CA_VALIDITY, now);
            client.resource(new SecretBuilder()
                    .withNewMetadata().withName(r.caSecret()).withNamespace(ns).withLabels(CachedObjects.madeByOperator(r.labels()))
                    .withOwnerReferences(DesiredState.ownerReference(r.owner())).endMetadata()
                    .withType("Opaque")
                    .addToData(CA_CERT, base64(ca.certificatePem()))
                    .addToData(CA_KEY, base64(ca.keyPem()))
                    .build()).create();
            return ca;
        }
        return caOf(secret, r.caSecret(), false);
    }

    private static CertificateAuthority userCa(KubernetesClient client, String ns, String name) throws CaException {
        return caOf(client.secrets().inNamespace(ns).withName(name).get(), name, true);
    }

    /**
     * The CA in {@code secret} (named {@code name}): the operator's own (ca.crt, ca.key) or the user's
     * ({@code userProvided}: ca.crt and ca.key, or tls.crt and tls.key). A missing Secret is retryable (it
     * may still come); one that holds no usable CA needs a person.
     */
    public static CertificateAuthority caOf(Secret secret, String name, boolean userProvided) throws CaException {
        if (secret == null) {
            throw new CaException(userProvided ? "CA Secret " + name + " (spec.tls.caSecretName) was not found"
                    : "CA Secret " + name + " was not found", true);
        }
        if (!userProvided) {
            try {
                return CertificateAuthority.fromPem(value(secret, CA_CERT), value(secret, CA_KEY));
            } catch (IllegalArgumentException e) {
                throw new CaException("Secret " + name + " does not hold a usable CA (" + e.getMessage()
                        + "); delete it to have the operator make a new one", false);
            }
        }
        String cert = value(secret, CA_CERT) != null && value(secret, CA_KEY) != null ? value(secret, CA_CERT) : value(secret, "tls.crt");
        String key = value(secret, CA_CERT) != null && value(secret, CA_KEY) != null ? value(secret, CA_KEY) : value(secret, "tls.key");
        if (cert == null || key == null) {
            throw new CaException("CA Secret " + name + " (spec.tls.caSecretName) needs keys ca.crt and ca.key (or tls.crt and tls.key)", false);
        }
        try {
            return CertificateAuthority.fromPem(cert, key);
        } catch (IllegalArgumentException e) {
            throw new CaException("CA Secret " + name + " (spec.tls.caSecretName): " + e.getMessage(), false);
        }
    }

    /** A Secret value as text (see GeneratedSecrets.value). */
    public static String value(Secret s, String key) {
        return io.shopdb.operator.kube.GeneratedSecrets.value(s, key);
    }

    private static String base64(String s) {
        return io.shopdb.operator.kube.GeneratedSecrets.base64(s);
    }
}
