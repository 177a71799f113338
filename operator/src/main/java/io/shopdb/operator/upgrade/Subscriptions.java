package io.shopdb.operator.upgrade;

import io.shopdb.operator.sql.PgEndpoint;

import static io.shopdb.operator.sql.LogicalCopy.conninfoValue;

/**
 * The connection a subscription on the target makes to the source: the source's -rw Service with the superuser,
 * verified (verify-full) against the CA file the target server itself uses, which is the source's CA (the upgrade
 * requires it). Where the operator dials the Service by a local address (the sandbox), that address is hostaddr and
 * the Service name stays host, the name the certificate carries.
 */
final class Subscriptions {
    private Subscriptions() {}

    private static String numeric(String host) {
        try {
            return java.net.InetAddress.getByName(host).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot resolve " + host + ": " + e.getMessage(), e);
        }
    }

    static String conninfo(PgEndpoint source, String database, String caFile, String applicationName) {
        String name = source.trust() == null ? source.host() : source.trust().serverName();
        StringBuilder c = new StringBuilder("host=").append(conninfoValue(name));
        if (!name.equalsIgnoreCase(source.host())) {
            c.append(" hostaddr=").append(conninfoValue(numeric(source.host())));
        }
        c.append(" port=").append(source.port())
                .append(" dbname=").append(conninfoValue(database))
                .append(" user=").append(conninfoValue(source.user()))
                .append(" password=").append(conninfoValue(new String(source.password())))
                .append(" sslmode=verify-full sslrootcert=").append(conninfoValue(caFile))
                .append(" application_name=").append(conninfoValue(applicationName));
        return c.toString();
    }
}
