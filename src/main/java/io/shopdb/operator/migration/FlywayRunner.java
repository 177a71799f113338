package io.shopdb.operator.migration;

import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Messages;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;

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

    public record Settings(List<String> schemas, String runAs, Map<String, String> placeholders, String baselineVersion,
                           boolean baselineOnMigrate, boolean outOfOrder, boolean validateOnMigrate, boolean mixed,
                           int lockRetryCount) {}

    public record Applied(String version, String description, String type, String script, Integer checksum,
                          String installedOn, Integer executionTimeMillis, String state) {}

    /** Why the last run failed: which script, what PostgreSQL said, where. */
    public record Failure(String script, String message, Integer line, String statement, String sqlState, boolean checksumMismatch) {}

    public record Report(String currentVersion, List<Applied> applied, int pending, int executed, Failure failure) {}

    private FlywayRunner() {}

    public static Report migrate(PgEndpoint endpoint, List<Script> scripts, Settings settings) {
        Flyway flyway = configure(endpoint, scripts, settings);
        try {
            var result = flyway.migrate();
            return report(flyway, result.migrationsExecuted, null);
        } catch (FlywayException e) {
            return report(flyway, 0, failure(e));
        }
    }

    /** Read-only: what is applied and pending, without migrating. */
    public static Report info(PgEndpoint endpoint, List<Script> scripts, Settings settings) {
        Flyway flyway = configure(endpoint, scripts, settings);
        return report(flyway, 0, null);
    }

    private static Flyway configure(PgEndpoint endpoint, List<Script> scripts, Settings settings) {
        FluentConfiguration config = Flyway.configure()
                .dataSource(endpoint.jdbcUrl() + "?sslmode=" + endpoint.sslMode() + "&ApplicationName=shopdb-operator-migration"
                                + (endpoint.trust() == null ? "" : endpoint.trust().urlParameters()),
                        endpoint.user(), new String(endpoint.password()))
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

    static Failure failure(FlywayException e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof FlywaySqlScriptException s) {
                SQLException sql = s.getCause() instanceof SQLException c ? c : null;
                return new Failure(s.getResource() == null ? null : s.getResource().getFilename(),
                        sql == null ? Messages.firstLine(s.getMessage()) : Messages.firstLine(sql.getMessage()),
                        s.getLineNumber(), truncate(s.getStatement()), s.getSqlState(), false);
            }
            t = t.getCause();
        }
        String message = Messages.firstLine(e.getMessage());
        boolean mismatch = e.getMessage() != null && e.getMessage().contains("checksum mismatch");
        return new Failure(null, mismatch ? e.getMessage().replaceAll("\\s+", " ").trim() : message, null, null, null, mismatch);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500) + "...";
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
