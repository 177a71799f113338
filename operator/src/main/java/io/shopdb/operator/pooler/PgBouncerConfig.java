package io.shopdb.operator.pooler;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files PgBouncer reads, as a pure function of the pooler's spec and the credentials: pgbouncer.ini,
 * userlist.txt (only the lookup role and the admin console user: every application role is found through
 * auth_query, so no application password is copied anywhere) and the cluster's CA certificate. The certificate
 * PgBouncer serves to clients is not among them: it is the pooler's TLS Secret (PoolerTls), mounted at
 * {@value #TLS_DIR}.
 */
public final class PgBouncerConfig {
    public static final String DIR = "/etc/pgbouncer";
    public static final String INI = "pgbouncer.ini";
    public static final String USERLIST = "userlist.txt";
    public static final String CA = "ca.crt";
    public static final int PORT = 5432;
    /** Where the pod mounts the pooler's certificate Secret (PoolerTls): tls.crt, tls.key, ca.crt. */
    public static final String TLS_DIR = "/etc/pgbouncer-tls";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_KEY = "tls.key";

    /** The login PgBouncer runs auth_query as: no privilege but EXECUTE on the lookup function (sql/PoolerAuth). */
    public record Credentials(String authUser, String authPassword, String adminUser, String adminPassword) {}

    private PgBouncerConfig() {}

    /** file name → content, for the pooler's config Secret (mounted at {@value #DIR}). */
    public static Map<String, String> files(PostgresPoolerSpec spec, String serverHost, int serverPort, String authQuery,
                                            Credentials credentials, String caPem) {
        Map<String, String> files = new TreeMap<>();
        files.put(INI, ini(spec, serverHost, serverPort, authQuery, credentials));
        files.put(USERLIST, userlist(credentials));
        files.put(CA, caPem);
        return files;
    }

    static String ini(PostgresPoolerSpec spec, String serverHost, int serverPort, String authQuery, Credentials credentials) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addr", "*");
        s.put("listen_port", String.valueOf(PORT));
        s.put("unix_socket_dir", ""); // no socket: a read-only root filesystem, and nobody local to serve
        s.put("auth_type", "scram-sha-256");
        s.put("auth_file", DIR + "/" + USERLIST);
        s.put("auth_user", credentials.authUser());
        s.put("auth_query", authQuery);
        s.put("admin_users", credentials.adminUser());
        s.put("stats_users", credentials.adminUser());
        s.put("pool_mode", spec.getPoolMode().name());
        s.put("default_pool_size", String.valueOf(spec.getDefaultPoolSize()));
        s.put("max_client_conn", String.valueOf(spec.getMaxClientConnections()));
        if (spec.getMaxDbConnections() != null) {
            s.put("max_db_connections", String.valueOf(spec.getMaxDbConnections()));
        }
        // the server admits TLS only; verify-ca: the cluster's own CA signs only its instances and its poolers, and
        // the name a pod dials (a Service) is one the certificate carries anyway (the replicas verify the same way;
        // docs/security.md, Known gaps: a pooler's certificate passes this check too)
        s.put("server_tls_sslmode", "verify-ca");
        s.put("server_tls_ca_file", DIR + "/" + CA);
        // clients must use TLS (a plaintext startup is refused): the connection Secrets say verify-full, and the
        // pooler's certificate (PoolerTls) is signed by the cluster's CA, so a client checks the pooler exactly as
        // it checks the cluster. No client_tls_ca_file: it is for client certificates, which are not asked for
        // (clients log in with SCRAM, checked against the server's catalog through auth_query).
        s.put("client_tls_sslmode", "require");
        s.put("client_tls_cert_file", TLS_DIR + "/" + TLS_CERT);
        s.put("client_tls_key_file", TLS_DIR + "/" + TLS_KEY);
        s.put("ignore_startup_parameters", PgBouncerParameters.ALWAYS_IGNORED_STARTUP);
        // after a failed server login PgBouncer refuses clients for server_login_retry (15 s by default): during a
        // failover the -rw Service has no endpoint for a moment, and 15 s of errors followed (FailoverBenchmark)
        s.put("server_login_retry", "1");
        if (spec.getParameters() != null) {
            spec.getParameters().forEach((k, v) -> s.put(k, "ignore_startup_parameters".equals(k)
                    ? PgBouncerParameters.ALWAYS_IGNORED_STARTUP + "," + v : v));
        }
        StringBuilder out = new StringBuilder("; Written by shopdb-operator from the PostgresPooler; edits are overwritten.\n");
        out.append("[databases]\n");
        // every database of the cluster, by the name the client asks for
        out.append("* = host=").append(serverHost).append(" port=").append(serverPort).append('\n');
        out.append("\n[pgbouncer]\n");
        s.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        return out.toString();
    }

    static String userlist(Credentials c) {
        return quote(c.authUser()) + " " + quote(c.authPassword()) + "\n"
                + quote(c.adminUser()) + " " + quote(c.adminPassword()) + "\n";
    }

    /** userlist.txt quoting: the value in double quotes, a double quote doubled. */
    static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
