package io.shopdb.operator.sql;

import org.postgresql.ssl.PGjdbcHostnameVerifier;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import java.util.Properties;

/**
 * pgjdbc's own host name check (subjectAltName, wildcards), applied to the name in
 * {@link ServerTrust#SERVER_NAME_PROPERTY} instead of the dialled host: the client equivalent of libpq's
 * {@code host=<name> hostaddr=<ip>}. pgjdbc instantiates it by class name with the connection properties.
 */
public final class ServerNameVerifier implements HostnameVerifier {
    private final String serverName;

    public ServerNameVerifier(Properties info) {
        this.serverName = info.getProperty(ServerTrust.SERVER_NAME_PROPERTY);
    }

    @Override
    public boolean verify(String dialledHost, SSLSession session) {
        // without a name to check there is nothing to vouch for: refuse rather than fall back to the address
        return serverName != null && PGjdbcHostnameVerifier.INSTANCE.verify(serverName, session);
    }
}
