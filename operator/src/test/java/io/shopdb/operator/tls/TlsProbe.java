package io.shopdb.operator.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/**
 * Reads the certificate a PostgreSQL server presents, as a client sees it: the SSLRequest of the protocol,
 * then a TLS handshake that trusts only the given CA.
 */
final class TlsProbe {
    private static final int SSL_REQUEST_CODE = 80877103;

    private TlsProbe() {}

    static X509Certificate serverCertificate(int port, X509Certificate ca) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (Socket plain = new Socket("127.0.0.1", port)) {
            DataOutputStream out = new DataOutputStream(plain.getOutputStream());
            out.writeInt(8);
            out.writeInt(SSL_REQUEST_CODE);
            out.flush();
            int answer = plain.getInputStream().read();
            if (answer != 'S') {
                throw new IOException("the server declined TLS (answer " + answer + ")");
            }
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
                tls.startHandshake();
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }

    static BigInteger serverSerial(int port, X509Certificate ca) throws IOException, GeneralSecurityException {
        return serverCertificate(port, ca).getSerialNumber();
    }
}
