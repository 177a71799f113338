package io.shopdb.operator.migration;

import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Messages;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Runs Flyway OSS on in-memory scripts and reports, honestly, what the schema history says afterwards.
 * No Kubernetes here: the controller turns ConfigMaps into {@link Script}s and the report into status.
 *
 * <p>Concurrency: Flyway takes a PostgreSQL advisory lock on the schema history for the whole migrate, so two
 * operator replicas or two resources on the same schema run one after the other; a waiter gives up after
 * {@code lockRetryCount} one-second tries and the reconcile is retried.
 */
public final class FlywayRunner {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FlywayRunner.class);

    public record Settings(List<String> schemas, String runAs, Map<String, String> placeholders, String baselineVersion,
                           boolean baselineOnMigrate, boolean outOfOrder, boolean validateOnMigrate, boolean mixed,
                           int lockRetryCount) {}

    public record Applied(String version, String description, String type, String script, Integer checksum,
                          String installedOn, Integer executionTimeMillis, String state) {}

    /**
     * Why the last run failed: which script, what PostgreSQL said, where; inTransaction false when Flyway ran the
     * script outside a transaction, so what it did before failing stays (null: not known, no script ran).
     */
    public record Failure(String script, String message, Integer line, String statement, String sqlState, boolean checksumMismatch,
                          Boolean inTransaction, boolean serverTrouble) {}

    public record Report(String currentVersion, List<Applied> applied, int pending, int executed, Failure failure) {}

    private FlywayRunner() {}

    /** As {@link #migrate(PgEndpoint, List, Settings, boolean)} without forgetting failed runs. */
    public static Report migrate(PgEndpoint endpoint, List<Script> scripts, Settings settings) {
        return migrate(endpoint, scripts, settings, false);
    }

    /**
     * On connections of its own to {@code endpoint} (tests and tools). With a runAs, {@code endpoint} is a superuser's
     * and the scripts run as in {@link #migrateAsOwner}; a refused or missing runAs, or a session that cannot be made,
     * is reported as a failure. Without one they run as the endpoint's own user.
     */
    public static Report migrate(PgEndpoint endpoint, List<Script> scripts, Settings settings, boolean forgetFailed) {
        if (settings.runAs() == null) {
            return migrate(direct(endpoint), scripts, settings, forgetFailed);
        }
        try (java.sql.Connection admin = io.shopdb.operator.sql.PgConnections.open(endpoint)) {
            return migrateAsOwner(admin, endpoint, scripts, settings, "spec.runAs", forgetFailed);
        } catch (OwnerSession.RefusedRoleException e) {
            return new Report(null, List.of(), 0, 0, new Failure(null, e.getMessage(), null, null, null, false, null, false));
        } catch (SQLException e) {
            return new Report(null, List.of(), 0, 0, new Failure(null, Messages.firstLine(e), null, null, e.getSQLState(), false, null,
                    serverTrouble(e)));
        }
    }

    /**
     * Migrates as {@code settings.runAs()} on a session LOGGED IN as a throwaway member of it ({@link OwnerSession}),
     * never on the admin's session: a script's {@code RESET ROLE} then falls back to a role that holds nothing, not
     * to the superuser. What the scripts create, the history table included, belongs to the runAs role as before.
     *
     * @param admin    a superuser connection to the database being migrated (makes and drops the throwaway role)
     * @param database where that database is (host, port, name, TLS); its credentials are not used
     * @param field    how a refusal names the runAs role ("spec.runAs", or the database's owner)
     * @throws OwnerSession.RefusedRoleException the runAs role is missing, a superuser or reaches one (nothing ran)
     * @throws SQLException the session could not be made (nothing ran)
     */
    public static Report migrateAsOwner(java.sql.Connection admin, PgEndpoint database, List<Script> scripts, Settings settings, String field,
                                        boolean forgetFailed) throws SQLException, OwnerSession.RefusedRoleException {
        if (settings.runAs() == null) {
            throw new IllegalArgumentException("a migration on an owner session needs the role it runs as");
        }
        OwnerSession session = OwnerSession.open(admin, database, settings.runAs(), field);
        try {
            return migrate(session.dataSource(), scripts, settings, forgetFailed);
        } finally {
            session.close();
            if (session.cleanupProblem() != null) {
                LOG.warnf("%s (it expires within the hour and is swept by a later migration)", session.cleanupProblem());
            }
        }
    }

    /**
     * Migrates through {@code dataSource}: the scripts run as whoever it logs in as (with a runAs, after SET ROLE). The
     * operator never passes its superuser pool here: it migrates through {@link #migrateAsOwner}.
     */
    public static Report migrate(DataSource dataSource, List<Script> scripts, Settings settings) {
        return migrate(dataSource, scripts, settings, false);
    }

    /**
     * As above; with {@code forgetFailed}, first removes Flyway's rows of failed runs (what {@code flyway repair}
     * does for them, without its realigning of checksums). Flyway writes such a row when a script that ran outside a
     * transaction fails, and then refuses every migrate until it is gone; the caller passes true only once a person
     * has answered the reported failure by changing the scripts.
     */
    public static Report migrate(DataSource dataSource, List<Script> scripts, Settings settings, boolean forgetFailed) {
        Flyway flyway = configure(dataSource, scripts, settings);
        try {
            if (forgetFailed) {
                forgetFailedRuns(dataSource, flyway, settings);
            }
            var result = flyway.migrate();
            return report(flyway, result.migrationsExecuted, null);
        } catch (FlywayException e) {
            return report(flyway, 0, failure(e));
        }
    }

    /** Read-only: what is applied and pending, without migrating. */
    public static Report info(PgEndpoint endpoint, List<Script> scripts, Settings settings) {
        return info(direct(endpoint), scripts, settings);
    }

    public static Report info(DataSource dataSource, List<Script> scripts, Settings settings) {
        Flyway flyway = configure(dataSource, scripts, settings);
        return report(flyway, 0, null);
    }

    /** Connections of its own, for the tests and tools that have no pool. */
    private static DataSource direct(PgEndpoint endpoint) {
        return io.shopdb.operator.sql.PgConnections.dataSource(endpoint, () -> { });
    }

    private static Flyway configure(DataSource dataSource, List<Script> scripts, Settings settings) {
        FluentConfiguration config = Flyway.configure()
                .dataSource(settings.runAs() == null ? dataSource : new RoleResetting(dataSource))
                .resourceProvider(new InMemoryScripts(scripts))
                .schemas(settings.schemas().toArray(String[]::new))
                .placeholders(settings.placeholders())
                .outOfOrder(settings.outOfOrder())
                .validateOnMigrate(settings.validateOnMigrate())
                .mixed(settings.mixed())
                .lockRetryCount(settings.lockRetryCount())
                .baselineOnMigrate(settings.baselineOnMigrate())
                .cleanDisabled(true)
                .connectRetries(0);
        // a session-level advisory lock, not one held by an open transaction: CREATE INDEX CONCURRENTLY waits for
        // every open transaction, so under the transactional lock it waited for Flyway itself, for ever
        // (flyway#3854); the session lock serializes runs the same way
        config.getPluginRegister().getPlugin(org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension.class)
                .setTransactionalLock(false);
        if (settings.baselineVersion() != null) {
            config.baselineVersion(settings.baselineVersion());
        }
        if (settings.runAs() != null) {
            // Objects (and the history table) are owned by the run-as role, not by the operator's superuser.
            config.initSql("SET ROLE " + Identifiers.quote(settings.runAs()));
        }
        return config.load();
    }

    private static Report report(Flyway flyway, int executed, Failure failure) {
        List<Applied> applied = new ArrayList<>();
        int pending = 0;
        String current = null;
        try {
            var info = flyway.info();
            for (MigrationInfo m : info.all()) {
                if (m.getState().isApplied()) {
                    applied.add(new Applied(m.getVersion() == null ? null : m.getVersion().getVersion(), m.getDescription(),
                            m.getType().name(), m.getScript(), m.getChecksum(),
                            m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant().toString(),
                            m.getExecutionTime(), m.getState().getDisplayName()));
                }
            }
            pending = info.pending().length;
            current = info.current() == null || info.current().getVersion() == null ? null : info.current().getVersion().getVersion();
        } catch (FlywayException e) {
            if (failure == null) {
                failure = failure(e);
            }
        }
        return new Report(current, applied, pending, executed, failure);
    }

    private static void forgetFailedRuns(DataSource dataSource, Flyway flyway, Settings settings) {
        boolean anyFailed = java.util.Arrays.stream(flyway.info().all()).anyMatch(m -> m.getState().isFailed());
        if (!anyFailed) {
            return;
        }
        String table = Identifiers.quote(flyway.getConfiguration().getDefaultSchema() != null
                ? flyway.getConfiguration().getDefaultSchema() : settings.schemas().get(0)) + "." + Identifiers.quote(flyway.getConfiguration().getTable());
        try (java.sql.Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM " + table + " WHERE NOT success");
        } catch (SQLException e) {
            throw new FlywayException("cannot remove the failed runs from " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the run failed because of the server or the connection rather than the scripts or the schema: a
     * connection class or shutdown SQLSTATE (08, 57P), too many connections, a lock or serialization wait, a
     * connection the pool could not give, or Flyway's advisory lock not obtained. Anything else (a refused
     * baseline, a failed-migration record, a missing schema) is for a person and must not be retried as if the
     * server were down.
     */
    static boolean serverTrouble(Throwable e) {
        if (SqlErrors.isServerTrouble(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage(); // Flyway's own words for a lock or a connection it could not get
            if (m != null && (m.contains("advisory lock") || m.contains("Unable to obtain connection")
                    || m.contains("Unable to restore connection"))) {
                return true;
            }
        }
        return false;
    }

    static Failure failure(FlywayException e) {
        boolean serverTrouble = serverTrouble(e);
        Boolean inTransaction = null;
        for (Throwable m = e; m != null; m = m.getCause()) {
            if (m instanceof org.flywaydb.core.internal.exception.FlywayMigrateException migrate) {
                inTransaction = migrate.isExecutableInTransaction();
                break;
            }
        }
        Throwable t = e;
        while (t != null) {
            if (t instanceof FlywaySqlScriptException s) {
                SQLException sql = s.getCause() instanceof SQLException c ? c : null;
                return new Failure(s.getResource() == null ? null : s.getResource().getFilename(),
                        sql == null ? Messages.firstLine(s.getMessage()) : Messages.firstLine(sql.getMessage()),
                        s.getLineNumber(), truncate(s.getStatement()), s.getSqlState(), false, inTransaction, serverTrouble);
            }
            t = t.getCause();
        }
        String message = Messages.firstLine(e.getMessage());
        boolean mismatch = e.getMessage() != null && e.getMessage().contains("checksum mismatch");
        return new Failure(null, mismatch ? e.getMessage().replaceAll("\\s+", " ").trim() : message, null, null, null, mismatch, inTransaction,
                serverTrouble);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

    /**
     * With spec.runAs Flyway runs {@code SET ROLE} on each connection it takes (initSql). A pooled connection
     * outlives the migration, so the role is reset when Flyway gives it back: the next borrower (a role's
     * GRANT, a database's catalog read) must act as the operator's superuser, not as the run-as role.
     */
    private record RoleResetting(DataSource pool) implements DataSource {
        @Override
        public java.sql.Connection getConnection() throws SQLException {
            java.sql.Connection c = pool.getConnection();
            return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(FlywayRunner.class.getClassLoader(),
                    new Class<?>[]{java.sql.Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && !c.isClosed()) {
                            try (var st = c.createStatement()) {
                                st.execute("RESET ROLE");
                            } catch (SQLException e) {
                                c.unwrap(java.sql.Connection.class).abort(Runnable::run); // never hand back a connection in another role
                            }
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override public java.sql.Connection getConnection(String u, String p) throws SQLException { throw new java.sql.SQLFeatureNotSupportedException(); }
        @Override public java.io.PrintWriter getLogWriter() throws SQLException { return pool.getLogWriter(); }
        @Override public void setLogWriter(java.io.PrintWriter out) throws SQLException { pool.setLogWriter(out); }
        @Override public void setLoginTimeout(int seconds) throws SQLException { pool.setLoginTimeout(seconds); }
        @Override public int getLoginTimeout() throws SQLException { return pool.getLoginTimeout(); }
        @Override public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException { return pool.getParentLogger(); }
        @Override public <T> T unwrap(Class<T> iface) throws SQLException { return pool.unwrap(iface); }
        @Override public boolean isWrapperFor(Class<?> iface) throws SQLException { return pool.isWrapperFor(iface); }
    }

    /** Flyway's view of our scripts: looked up by prefix and suffix, as it would scan a folder. */
    private record InMemoryScripts(List<Script> scripts) implements ResourceProvider {
        @Override
        public LoadableResource getResource(String name) {
            return scripts.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            return scripts.stream()
                    .filter(s -> s.name().startsWith(prefix) && Arrays.stream(suffixes).anyMatch(s.name()::endsWith))
                    .map(s -> (LoadableResource) s)
                    .toList();
        }
    }
}
