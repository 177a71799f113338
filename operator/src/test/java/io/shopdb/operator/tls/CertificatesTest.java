package io.shopdb.operator.tls;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificatesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final CertificateAuthority CA = CertificateAuthority.generate("shop-ca", Duration.ofDays(3650), NOW);
    private static final List<String> NAMES = ServerNames.of("shop", List.of("shop-rw", "shop-ro"), "shop-headless");

    @Test
    void namesCoverEveryServiceSpellingAndThePodsAsAWildcard() {
        assertEquals(List.of("shop-rw", "shop-rw.shop", "shop-rw.shop.svc", "shop-rw.shop.svc.cluster.local",
                "shop-ro", "shop-ro.shop", "shop-ro.shop.svc", "shop-ro.shop.svc.cluster.local",
                "*.shop-headless", "*.shop-headless.shop", "*.shop-headless.shop.svc", "*.shop-headless.shop.svc.cluster.local"), NAMES);
    }

    @Test
    void anIssuedCertificateCarriesTheNamesAndIsSignedByTheCa() {
        var issued = CA.issueServer(NAMES, Duration.ofDays(365), NOW);
        assertEquals(NAMES, Certificates.dnsNames(issued.certificate()));
        assertTrue(Certificates.signedBy(issued.certificate(), CA.certificate()));
        assertEquals(-1, issued.certificate().getBasicConstraints(), "a server certificate is no CA");
        assertTrue(Certificates.keyMatches(issued.certificate().getPublicKey(), Pem.readPrivateKey(issued.keyPem())));
        assertEquals(issued.certificate(), Pem.readCertificate(issued.certificatePem()));
    }

    @Test
    void renewalStartsWhenAThirdOfTheValidityRemains() {
        var cert = CA.issueServer(NAMES, Duration.ofDays(300), NOW).certificate();
        // valid from NOW - 1h (clock skew) to NOW + 300d: a third is 100d + 20min
        Instant renewAt = Renewal.renewAt(cert);
        assertEquals(NOW.plus(Duration.ofDays(200)).minus(Duration.ofMinutes(20)), renewAt);
        assertEquals(Renewal.Reason.NONE, Renewal.decide(cert, CA.certificate(), NAMES, renewAt.minusSeconds(1)));
        assertEquals(Renewal.Reason.EXPIRING, Renewal.decide(cert, CA.certificate(), NAMES, renewAt));
        assertEquals(Renewal.Reason.EXPIRING, Renewal.decide(cert, CA.certificate(), NAMES, NOW.plus(Duration.ofDays(400))));
    }

    @Test
    void renewalOnMissingCertificateNewNameOrOtherCa() {
        var cert = CA.issueServer(NAMES, Duration.ofDays(300), NOW).certificate();
        assertEquals(Renewal.Reason.MISSING, Renewal.decide(null, CA.certificate(), NAMES, NOW));
        List<String> more = new java.util.ArrayList<>(NAMES);
        more.add("shop-r");
        assertEquals(Renewal.Reason.NAMES_CHANGED, Renewal.decide(cert, CA.certificate(), more, NOW));
        var other = CertificateAuthority.generate("other", Duration.ofDays(10), NOW);
        assertEquals(Renewal.Reason.OTHER_CA, Renewal.decide(cert, other.certificate(), NAMES, NOW));
    }

    @Test
    void aServerCertificateNeverOutlivesItsCa() {
        var shortCa = CertificateAuthority.generate("short", Duration.ofDays(30), NOW);
        var cert = shortCa.issueServer(NAMES, Duration.ofDays(365), NOW).certificate();
        assertFalse(cert.getNotAfter().after(shortCa.certificate().getNotAfter()));
    }

    @Test
    void aUserCaIsCheckedWhenRead() {
        CertificateAuthority read = CertificateAuthority.fromPem(CA.certificatePem(), CA.keyPem());
        assertEquals(CA.certificate(), read.certificate());
        var other = CertificateAuthority.generate("other", Duration.ofDays(10), NOW);
        var e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.fromPem(CA.certificatePem(), other.keyPem()));
        assertEquals("the private key does not belong to the CA certificate", e.getMessage());
        var leaf = CA.issueServer(NAMES, Duration.ofDays(1), NOW);
        assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.fromPem(leaf.certificatePem(), leaf.keyPem()));
        var garbage = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.fromPem("-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----", CA.keyPem()));
        assertFalse(garbage.getMessage().contains("xx"));
    }

    @Test
    void hbaAdmitsOnlyTlsOverTcpForEveryRoleAndReplication() {
        String hba = ServerTlsSettings.hba(List.of("replicator", "postgres"));
        List<String> tcp = hba.lines().filter(l -> l.startsWith("host")).map(l -> l.replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("hostssl all all all scram-sha-256", "hostssl replication replicator all scram-sha-256",
                "hostssl replication postgres all scram-sha-256", "hostnossl all all all reject",
                "hostnossl replication all all reject"), tcp);
    }
}
