package io.shopdb.operator.tls;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a PostgreSQL server of a managed cluster is told about TLS, as pure functions the instance builder
 * calls: the ssl parameters (certificate files in a mounted kubernetes.io/tls Secret) and a pg_hba.conf that
 * admits only TLS over TCP, for every role and for replication. PostgreSQL re-reads both, and the
 * certificate files, on a reload (SIGHUP / pg_reload_conf()), so a renewed certificate needs no restart.
 */
public final class ServerTlsSettings {
    public static final String CERT_FILE = "tls.crt";
    public static final String KEY_FILE = "tls.key";
    public static final String CA_FILE = "ca.crt";

    private ServerTlsSettings() {}

    /** Parameters for postgresql.conf; {@code certDir} is where the server Secret is mounted. */
    public static Map<String, String> parameters(String certDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl", "on");
        p.put("ssl_cert_file", certDir + "/" + CERT_FILE);
        p.put("ssl_key_file", certDir + "/" + KEY_FILE);
        p.put("ssl_ca_file", certDir + "/" + CA_FILE);
        p.put("ssl_min_protocol_version", "TLSv1.2");
        return p;
    }

    /**
     * Password (SCRAM) authentication over TLS only. {@code all} in the database column does not match
     * replication connections, so those get their own lines; plain TCP is rejected explicitly, so a client
     * sees "no encryption" in the error instead of a missing-entry message. Unix sockets (inside the pod:
     * probes, pg_ctl) need no TLS.
     */
    public static String hba(List<String> replicationUsers) {
        StringBuilder hba = new StringBuilder("""
                # Written by shopdb-operator. TYPE DATABASE USER ADDRESS METHOD
                local       all          all                     scram-sha-256
                hostssl     all          all         all         scram-sha-256
                """);
        for (String user : replicationUsers) {
            hba.append("hostssl     replication  ").append(user).append("  all         scram-sha-256\n");
        }
        hba.append("""
                hostnossl   all          all         all         reject
                hostnossl   replication  all         all         reject
                """);
        return hba.toString();
    }
}
