package io.shopdb.operator.sql;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * A DataSource that is only {@link #getConnection()}: the rest of the interface, which Hikari and Flyway do not need
 * from the sources handed to them, answered once here. The source carries its own credentials.
 */
public interface ConnectionSource extends DataSource {
    @Override
    default Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the source carries the credentials");
    }

    @Override default PrintWriter getLogWriter() { return null; }
    @Override default void setLogWriter(PrintWriter out) {}
    @Override default void setLoginTimeout(int seconds) {}
    @Override default int getLoginTimeout() { return 0; }
    @Override default Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
    @Override default <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("not a wrapper"); }
    @Override default boolean isWrapperFor(Class<?> iface) { return false; }
}
