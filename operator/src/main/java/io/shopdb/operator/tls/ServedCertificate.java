package io.shopdb.operator.tls;

import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether an instance's certificate file already holds a given certificate. The kubelet projects a changed
 * Secret into the pod some time after it is written (up to a minute and more); reloading before that would
 * reload the old certificate and never again, so the operator reloads only once every instance has the file.
 */
public final class ServedCertificate {
    /** The superuser may read server files; ssl_cert_file is the path the server loads on reload. */
    static final String READ_CERT_FILE = "SELECT pg_read_file(current_setting('ssl_cert_file'))";

    private ServedCertificate() {}

    public static boolean fileHolds(Connection c, X509Certificate certificate) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(READ_CERT_FILE)) {
            if (!rs.next() || rs.getString(1) == null) {
                return false;
            }
            try {
                return certificate.equals(Pem.readCertificate(rs.getString(1)));
            } catch (IllegalArgumentException e) {
                return false; // half-written or foreign file: not the one we wait for
            }
        }
    }
}
