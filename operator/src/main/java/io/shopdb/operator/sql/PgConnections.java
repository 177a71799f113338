package io.shopdb.operator.sql;

import javax.sql.DataSource;
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
        return open(endpoint, SOCKET_TIMEOUT_SECONDS);
    }

    /**
     * As {@link #open(PgEndpoint)} with another read timeout; 0 waits as long as a statement runs, for the agent's
     * long reads (a checksum of a large table) that the Job's deadline bounds instead.
     */
    public static Connection open(PgEndpoint endpoint, int socketTimeoutSeconds) throws SQLException {
        return open(endpoint, CONNECT_TIMEOUT_SECONDS, socketTimeoutSeconds);
    }

    /**
     * With its own bound on connecting and logging in (a hung postmaster accepts TCP connections and never answers
     * them): the failover path gives an instance a second, where a second without writes counts.
     */
    public static Connection open(PgEndpoint endpoint, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", endpoint.user());
        props.setProperty("password", new String(endpoint.password()));
        props.setProperty("sslmode", endpoint.sslMode());
        if (endpoint.trust() != null) {
            endpoint.trust().applyTo(props);
        }
        props.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
        props.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds));
        props.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
        props.setProperty("ApplicationName", "shopdb-operator");
        Connection c = DRIVER.connect(endpoint.jdbcUrl(), props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: " + endpoint);
        }
        return c;
    }

    /** {@link #open} as an unpooled DataSource; {@code onOpen} runs after each new connection (a counter). */
    public static DataSource dataSource(PgEndpoint endpoint, Runnable onOpen) {
        return new EndpointDataSource(endpoint, onOpen);
    }

    private record EndpointDataSource(PgEndpoint endpoint, Runnable onOpen) implements ConnectionSource {
        @Override
        public Connection getConnection() throws SQLException {
            Connection c = open(endpoint);
            onOpen.run();
            return c;
        }

        @Override
        public String toString() {
            return endpoint.toString(); // PgEndpoint.toString never shows the password (Hikari logs its DataSource)
        }
    }
}
