package io.shopdb.operator.tls;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
        X509Certificate current = null;
        String currentPem = value(server, "tls.crt");
        if (currentPem != null) {
            try {
                current = Pem.readCertificate(currentPem);
            } catch (IllegalArgumentException e) {
                current = null; // unreadable: issue a new one
            }
        }
        Renewal.Reason reason = Renewal.decide(current, ca.certificate(), r.serverNames(), now);
        if (reason == Renewal.Reason.NONE) {
            return new Result(reason, current, value(server, CA_CERT) != null ? value(server, CA_CERT) : ca.certificatePem());
        }
        CertificateAuthority.Issued issued = ca.issueServer(r.serverNames(), SERVER_VALIDITY, now);
        Secret desired = new SecretBuilder()
                .withNewMetadata().withName(r.serverSecret()).withNamespace(ns).withLabels(r.labels())
                .withOwnerReferences(DesiredState.ownerReference(r.owner())).endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(issued.certificatePem()))
                .addToData("tls.key", base64(issued.keyPem()))
                .addToData(CA_CERT, base64(ca.certificatePem()))
                .build();
        if (server == null) {
            client.resource(desired).create();
        } else {
            desired.getMetadata().setResourceVersion(server.getMetadata().getResourceVersion());
            client.resource(desired).update();
        }
        return new Result(reason, issued.certificate(), ca.certificatePem());
    }

    private static CertificateAuthority ownCa(KubernetesClient client, Request r, Instant now) throws CaException {
        String ns = r.owner().getMetadata().getNamespace();
        Secret secret = client.secrets().inNamespace(ns).withName(r.caSecret()).get();
        if (secret == null) {
            CertificateAuthority ca = CertificateAuthority.generate(r.owner().getMetadata().getName() + "-ca", CA_VALIDITY, now);
            client.resource(new SecretBuilder()
                    .withNewMetadata().withName(r.caSecret()).withNamespace(ns).withLabels(r.labels())
                    .withOwnerReferences(DesiredState.ownerReference(r.owner())).endMetadata()
                    .withType("Opaque")
                    .addToData(CA_CERT, base64(ca.certificatePem()))
                    .addToData(CA_KEY, base64(ca.keyPem()))
                    .build()).create();
            return ca;
        }
        try {
            return CertificateAuthority.fromPem(value(secret, CA_CERT), value(secret, CA_KEY));
        } catch (IllegalArgumentException e) {
            throw new CaException("Secret " + r.caSecret() + " does not hold a usable CA (" + e.getMessage()
                    + "); delete it to have the operator make a new one", false);
        }
    }

    private static CertificateAuthority userCa(KubernetesClient client, String ns, String name) throws CaException {
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            throw new CaException("CA Secret " + name + " (spec.tls.caSecretName) was not found", true);
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
