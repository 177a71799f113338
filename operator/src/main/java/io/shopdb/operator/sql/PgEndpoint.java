package io.shopdb.operator.sql;

import java.util.Arrays;

/**
 * Where and as whom to connect. The password is a char array so it can be wiped, and toString never
 * shows it (it would otherwise reach logs through exception messages). {@code trust}, when set, is the CA
 * and server name a verify-full connection checks; null leaves verification to the driver's defaults.
 */
public record PgEndpoint(String host, int port, String database, String user, char[] password, String sslMode, ServerTrust trust) {

    public PgEndpoint(String host, int port, String database, String user, char[] password, String sslMode) {
        this(host, port, database, user, password, sslMode, null);
    }

    public PgEndpoint withDatabase(String otherDatabase) {
        return new PgEndpoint(host, port, otherDatabase, user, password, sslMode, trust);
    }

    /** The same server and credentials, verified against {@code serverTrust} (sslmode verify-full). */
    public PgEndpoint verifiedBy(ServerTrust serverTrust) {
        return new PgEndpoint(host, port, database, user, password, "verify-full", serverTrust);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + urlEncode(database);
    }

    @Override
    public String toString() {
        return "PgEndpoint[" + user + "@" + host + ":" + port + "/" + database + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgEndpoint e && host.equals(e.host) && port == e.port && database.equals(e.database)
                && user.equals(e.user) && Arrays.equals(password, e.password) && sslMode.equals(e.sslMode)
                && java.util.Objects.equals(trust, e.trust);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(host, port, database, user, sslMode);
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
