package io.shopdb.operator.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * PEM text of certificates and private keys, as PostgreSQL (OpenSSL), libpq and pgjdbc read them. Keys are
 * written as PKCS#8 ("PRIVATE KEY"), which every one of them accepts. Errors never quote the key text.
 */
public final class Pem {
    private Pem() {}

    public static String certificate(X509Certificate cert) {
        return write(cert);
    }

    public static String privateKey(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("cannot encode a private key", e);
        }
    }

    /** The first certificate in {@code pem}. */
    public static X509Certificate readCertificate(String pem) {
        Object o = read(pem, "certificate");
        if (!(o instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException("no PEM certificate found");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 or traditional (PKCS#1 / SEC1) private key. */
    public static PrivateKey readPrivateKey(String pem) {
        Object o = read(pem, "private key");
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable private key", e);
        }
        throw new IllegalArgumentException("no unencrypted PEM private key found");
    }

    private static Object read(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("empty PEM " + what);
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            // the message of a parse error may quote the input: do not pass it on
            throw new IllegalArgumentException("malformed PEM " + what);
        }
    }

    private static String write(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
