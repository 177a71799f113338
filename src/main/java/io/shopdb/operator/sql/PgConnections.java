package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens short-lived JDBC connections with bounded timeouts, so a server that is down makes a reconcile
 * fail fast (and retry) instead of hanging a worker thread.
 */
public final class PgConnections {
    private static final int CONNECT_TIMEOUT_SECONDS = 5;
    private static final int SOCKET_TIMEOUT_SECONDS = 60;

    /** The driver itself, not DriverManager: its registry is per class loader, and Quarkus tests swap loaders. */
    private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

    private PgConnections() {}

    public static Connection open(PgEndpoint endpoint) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", endpoint.user());
        props.setProperty("password", new String(endpoint.password()));
        props.setProperty("sslmode", endpoint.sslMode());
        if (endpoint.trust() != null) {
            endpoint.trust().applyTo(props);
        }
        props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        props.setProperty("ApplicationName", "shopdb-operator");
        Connection c = DRIVER.connect(endpoint.jdbcUrl(), props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: " + endpoint);
        }
        return c;
    }
}
