package io.shopdb.operator.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A certificate authority that signs server certificates: a cluster's own (generated once, kept in the
 * {@code <cluster>-ca} Secret) or one the user provides. Keys are ECDSA P-256 (fast to make, accepted by
 * OpenSSL, libpq and Java); signatures SHA-256. The validity starts an hour back so a clock slightly behind
 * on a client does not reject a fresh certificate.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final Duration CLOCK_SKEW = Duration.ofHours(1);

    /** A server certificate and its key, as PEM goes into a kubernetes.io/tls Secret. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public String certificatePem() { return Pem.certificate(certificate); }
        public String keyPem() { return Pem.privateKey(key); }
    }

    public static CertificateAuthority generate(String commonName, Duration validity, Instant now) {
        KeyPair pair = newKeyPair();
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, pair.getPublic(), validity, now)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a CA certificate", e);
        }
    }

    /** Reads a CA from PEM (a user-provided CA Secret); the key must belong to the certificate. */
    public static CertificateAuthority fromPem(String certificatePem, String keyPem) {
        X509Certificate cert = Pem.readCertificate(certificatePem);
        PrivateKey key = Pem.readPrivateKey(keyPem);
        if (cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the certificate is not a CA (basicConstraints CA:FALSE)");
        }
        if (!Certificates.keyMatches(cert.getPublicKey(), key)) {
            throw new IllegalArgumentException("the private key does not belong to the CA certificate");
        }
        return new CertificateAuthority(cert, key);
    }

    /** A server certificate for {@code dnsNames} (the first one is also the common name), signed by this CA. */
    public Issued issueServer(List<String> dnsNames, Duration validity, Instant now) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            // never valid beyond the CA: a client would reject the chain from that day on
            Instant caEnd = certificate.getNotAfter().toInstant();
            Duration bounded = now.plus(validity).isAfter(caEnd) ? Duration.between(now, caEnd) : validity;
            // a common name is at most 64 characters (RFC 5280); clients match the SANs, the CN is a label
            String cn = dnsNames.get(0).length() > 64 ? dnsNames.get(0).substring(0, 64) : dnsNames.get(0);
            X509v3CertificateBuilder builder = builder(issuer, name(cn), pair.getPublic(), bounded, now)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new Issued(sign(builder, key), pair.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a server certificate", e);
        }
    }

    public String certificatePem() { return Pem.certificate(certificate); }
    public String keyPem() { return Pem.privateKey(key); }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey publicKey, Duration validity, Instant now) {
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, publicKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "shopdb-operator").addRDN(BCStyle.CN, commonName).build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC key generator", e);
        }
    }
}
