package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.tls.CertificateAuthority;
import io.shopdb.operator.tls.Certificates;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.tls.Pem;
import io.shopdb.operator.tls.Renewal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PgBouncer's client-side TLS as rendered: the ini, the pod's mount, the certificate's names and its issuance. */
class PoolerTlsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final CertificateAuthority CLUSTER_CA = CertificateAuthority.generate("shop-db-ca", Duration.ofDays(3650), NOW);

    @Test
    void pgbouncerRequiresTlsFromClientsWithTheMountedCertificate() {
        String ini = PgBouncerConfig.ini(pooler().getSpec(), "shop-db-rw.shop.svc", 5432, "SELECT 1",
                new PgBouncerConfig.Credentials("lookup", "a", "admin", "b"));
        assertTrue(ini.contains("client_tls_sslmode = require\n"), ini);
        assertTrue(ini.contains("client_tls_cert_file = /etc/pgbouncer-tls/tls.crt\n"), ini);
        assertTrue(ini.contains("client_tls_key_file = /etc/pgbouncer-tls/tls.key\n"), ini);
        assertFalse(ini.contains("client_tls_ca_file"), "no client certificates are asked for");
        assertTrue(PgBouncerParameters.problem("client_tls_sslmode", "disable").contains("the operator sets"),
                "a spec cannot turn client TLS off");
    }

    @Test
    void thePodMountsThePoolersTlsSecretWhereTheIniPointsAndTheHashFollowsTheCertificate() {
        PostgresPooler p = pooler();
        var pod = PoolerObjects.deployment(p, "image", "hash").getSpec().getTemplate().getSpec();
        var mount = pod.getContainers().get(0).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(PgBouncerConfig.TLS_DIR))
                .findFirst().orElseThrow();
        assertTrue(mount.getReadOnly());
        var volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertEquals("shop-bouncer-tls", volume.getSecret().getSecretName());
        assertEquals(PoolerTls.secret(p), volume.getSecret().getSecretName());
        assertEquals(0440, volume.getSecret().getDefaultMode(), "the key: the pod's group may read it, others not");
        Map<String, String> files = Map.of("pgbouncer.ini", "x");
        assertNotEquals(PoolerObjects.hash(files, "1a"), PoolerObjects.hash(files, "2b"), "a renewed certificate rolls the pods");
        assertEquals(PoolerObjects.hash(files, "1a"), PoolerObjects.hash(files, "1a"));
    }

    @Test
    void theCertificateCoversTheServiceSpellingsAndEveryPod() {
        assertEquals(List.of("shop-bouncer", "shop-bouncer.shop", "shop-bouncer.shop.svc", "shop-bouncer.shop.svc.cluster.local",
                "*.shop-bouncer-pods", "*.shop-bouncer-pods.shop", "*.shop-bouncer-pods.shop.svc", "*.shop-bouncer-pods.shop.svc.cluster.local"),
                PoolerTls.names(pooler()));
        assertEquals("shop-bouncer-7f-abc.shop-bouncer-pods.shop.svc", PoolerTls.podTrust(CLUSTER_CA.certificatePem(), pooler(), "shop-bouncer-7f-abc").serverName());
    }

    @Test
    void issuedByTheClusterCaOnceAndRenewedByTheServersRule() {
        PostgresPooler p = pooler();
        var issue = new ClusterTlsSecrets.Issue(p, PoolerObjects.labels(p), PoolerTls.secret(p), PoolerTls.names(p));
        var first = ClusterTlsSecrets.plan(CLUSTER_CA, issue, null, NOW);
        assertEquals(Renewal.Reason.MISSING, first.result().issued());
        var written = first.write();
        assertEquals("kubernetes.io/tls", written.getType());
        assertEquals("shop-bouncer-tls", written.getMetadata().getName());
        assertEquals("PostgresPooler", written.getMetadata().getOwnerReferences().get(0).getKind(), "deleted with the pooler");
        var cert = Pem.readCertificate(GeneratedSecrets.value(written, "tls.crt"));
        assertTrue(Certificates.signedBy(cert, CLUSTER_CA.certificate()), "clients trust it through the cluster's ca.crt");
        assertEquals(PoolerTls.names(p), Certificates.dnsNames(cert));
        assertEquals(CLUSTER_CA.certificatePem(), GeneratedSecrets.value(written, "ca.crt"));
        assertTrue(Certificates.keyMatches(cert.getPublicKey(), Pem.readPrivateKey(GeneratedSecrets.value(written, "tls.key"))));

        var steady = ClusterTlsSecrets.plan(CLUSTER_CA, issue, written, NOW.plus(Duration.ofDays(30)));
        assertNull(steady.write(), "a current certificate is kept: no write");
        assertEquals(cert, steady.result().server());
        assertEquals(Renewal.Reason.EXPIRING, ClusterTlsSecrets.plan(CLUSTER_CA, issue, written, NOW.plus(Duration.ofDays(250))).result().issued());
        var otherCa = CertificateAuthority.generate("other-ca", Duration.ofDays(3650), NOW);
        assertEquals(Renewal.Reason.OTHER_CA, ClusterTlsSecrets.plan(otherCa, issue, written, NOW).result().issued());
    }

    @Test
    void theClusterCaIsReadNotMade() throws Exception {
        var own = new SecretBuilder().withNewMetadata().withName("shop-db-ca").endMetadata()
                .addToData("ca.crt", GeneratedSecrets.base64(CLUSTER_CA.certificatePem()))
                .addToData("ca.key", GeneratedSecrets.base64(CLUSTER_CA.keyPem())).build();
        assertEquals(CLUSTER_CA.certificate(), ClusterTlsSecrets.caOf(own, "shop-db-ca", false).certificate());
        var missing = assertThrows(ClusterTlsSecrets.CaException.class, () -> ClusterTlsSecrets.caOf(null, "shop-db-ca", false));
        assertTrue(missing.retryable());
        var userTls = new SecretBuilder().withNewMetadata().withName("corp-ca").endMetadata()
                .addToData("tls.crt", GeneratedSecrets.base64(CLUSTER_CA.certificatePem()))
                .addToData("tls.key", GeneratedSecrets.base64(CLUSTER_CA.keyPem())).build();
        assertEquals(CLUSTER_CA.certificate(), ClusterTlsSecrets.caOf(userTls, "corp-ca", true).certificate());
        assertFalse(assertThrows(ClusterTlsSecrets.CaException.class, () -> ClusterTlsSecrets.caOf(userTls, "corp-ca", false)).retryable(),
                "the operator's own CA Secret holds ca.crt and ca.key");
    }

    private static PostgresPooler pooler() {
        PostgresPooler p = new PostgresPooler();
        p.setMetadata(new ObjectMetaBuilder().withName("shop-bouncer").withNamespace("shop").withUid("u-1").build());
        PostgresPoolerSpec spec = new PostgresPoolerSpec();
        LocalReference ref = new LocalReference();
        ref.setName("shop-db");
        spec.setClusterRef(ref);
        p.setSpec(spec);
        return p;
    }
}
