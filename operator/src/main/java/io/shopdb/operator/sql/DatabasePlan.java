package io.shopdb.operator.sql;

import io.shopdb.operator.sql.DesiredDatabase.DesiredExtension;
import io.shopdb.operator.sql.DesiredDatabase.DesiredSchema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Pure plans for a database, in two parts because they run on two connections: {@link #plan} on the
 * server (any database; CREATE DATABASE runs with autocommit, see {@link SqlStep#needsAutocommit}), then
 * {@link #planContents} through a connection to the database itself.
 */
public final class DatabasePlan {
    private DatabasePlan() {}

    /** {@code actual} null: the database does not exist yet. */
    public static List<SqlStep> plan(DesiredDatabase desired, ActualDatabase actual) {
        String name = desired.name();
        if (actual == null) {
            StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(Identifiers.quote(name));
            StringBuilder text = new StringBuilder("CREATE DATABASE ").append(name);
            if (desired.owner() != null) {
                sql.append(" OWNER ").append(Identifiers.quote(desired.owner()));
                text.append(" OWNER ").append(desired.owner());
            }
            if (desired.template() != null) {
                sql.append(" TEMPLATE ").append(Identifiers.quote(desired.template()));
                text.append(" TEMPLATE ").append(desired.template());
            }
            if (desired.encoding() != null) {
                sql.append(" ENCODING ").append(Literals.quote(desired.encoding()));
                text.append(" ENCODING ").append(desired.encoding());
            }
            if (desired.locale() != null) {
                sql.append(" LOCALE ").append(Literals.quote(desired.locale()));
                text.append(" LOCALE ").append(desired.locale());
            }
            return List.of(new SqlStep(text.toString(), sql.toString()));
        }
        if (desired.owner() != null && !desired.owner().equals(actual.owner())) {
            return List.of(new SqlStep("ALTER DATABASE " + name + " OWNER TO " + desired.owner(),
                    "ALTER DATABASE " + Identifiers.quote(name) + " OWNER TO " + Identifiers.quote(desired.owner())));
        }
        return List.of();
    }

    /** Settings fixed at creation that differ from the declaration; no DDL can fix them, so they are reported. */
    public static List<String> immutableDrift(DesiredDatabase desired, ActualDatabase actual) {
        List<String> drift = new ArrayList<>();
        if (desired.encoding() != null && !encodingKey(desired.encoding()).equals(encodingKey(actual.encoding()))) {
            drift.add("database " + desired.name() + " has encoding " + actual.encoding() + ", declared "
                    + desired.encoding() + "; the encoding cannot change after creation");
        }
        if (desired.locale() != null && !(localeKey(desired.locale()).equals(localeKey(actual.collate()))
                && localeKey(desired.locale()).equals(localeKey(actual.ctype())))) {
            drift.add("database " + desired.name() + " has locale " + actual.collate() + "/" + actual.ctype()
                    + ", declared " + desired.locale() + "; the locale cannot change after creation");
        }
        return drift;
    }

    /**
     * Schemas first (extensions may be created in them), then extensions; drops last and in reverse (an
     * extension before the schema holding it). DROP SCHEMA is RESTRICT, so a schema that still holds objects
     * fails with PostgreSQL's "cannot drop schema ... because other objects depend on it" instead of losing data.
     */
    public static List<SqlStep> planContents(DesiredDatabase desired, ActualDatabase.Contents actual) {
        List<SqlStep> steps = new ArrayList<>();
        List<DesiredSchema> schemas = desired.schemas().stream().sorted(Comparator.comparing(DesiredSchema::name)).toList();
        List<DesiredExtension> extensions = desired.extensions().stream()
                .sorted(Comparator.comparing(DesiredExtension::name)).toList();
        for (DesiredSchema s : schemas) {
            String owner = s.owner() != null ? s.owner() : desired.owner();
            String actualOwner = actual.schemas().get(s.name());
            if (s.absent()) {
                continue;
            }
            if (actualOwner == null) {
                String sql = "CREATE SCHEMA " + Identifiers.quote(s.name());
                String text = "CREATE SCHEMA " + s.name();
                if (owner != null) {
                    sql += " AUTHORIZATION " + Identifiers.quote(owner);
                    text += " AUTHORIZATION " + owner;
                }
                steps.add(new SqlStep(text, sql));
            } else if (owner != null && !owner.equals(actualOwner)) {
                steps.add(new SqlStep("ALTER SCHEMA " + s.name() + " OWNER TO " + owner,
                        "ALTER SCHEMA " + Identifiers.quote(s.name()) + " OWNER TO " + Identifiers.quote(owner)));
            }
        }
        for (DesiredExtension e : extensions) {
            ActualDatabase.Extension installed = actual.extensions().get(e.name());
            if (e.absent()) {
                continue;
            }
            String quoted = Identifiers.quote(e.name());
            if (installed == null) {
                String sql = "CREATE EXTENSION " + quoted;
                String text = "CREATE EXTENSION " + e.name();
                if (e.schema() != null) {
                    sql += " SCHEMA " + Identifiers.quote(e.schema());
                    text += " SCHEMA " + e.schema();
                }
                if (e.version() != null) {
                    sql += " VERSION " + Literals.quote(e.version());
                    text += " VERSION " + e.version();
                }
                steps.add(new SqlStep(text, sql));
                continue;
            }
            if (e.version() != null && !e.version().equals(installed.version())) {
                steps.add(new SqlStep("ALTER EXTENSION " + e.name() + " UPDATE TO " + e.version(),
                        "ALTER EXTENSION " + quoted + " UPDATE TO " + Literals.quote(e.version())));
            }
            if (e.schema() != null && !e.schema().equals(installed.schema())) {
                // only relocatable extensions can move; PostgreSQL says so clearly for the others
                steps.add(new SqlStep("ALTER EXTENSION " + e.name() + " SET SCHEMA " + e.schema(),
                        "ALTER EXTENSION " + quoted + " SET SCHEMA " + Identifiers.quote(e.schema())));
            }
        }
        for (DesiredExtension e : extensions) {
            if (e.absent() && actual.extensions().containsKey(e.name())) {
                steps.add(new SqlStep("DROP EXTENSION " + e.name(),
                        "DROP EXTENSION " + Identifiers.quote(e.name()) + " RESTRICT"));
            }
        }
        for (DesiredSchema s : schemas) {
            if (s.absent() && actual.schemas().containsKey(s.name())) {
                steps.add(new SqlStep("DROP SCHEMA " + s.name(), "DROP SCHEMA " + Identifiers.quote(s.name()) + " RESTRICT"));
            }
        }
        return List.copyOf(steps);
    }

    private static String encodingKey(String encoding) {
        return encoding.toUpperCase(Locale.ROOT).replaceAll("[-_]", "");
    }

    /** en_US.UTF-8 and en_US.utf8 name the same locale. */
    private static String localeKey(String locale) {
        return locale.toLowerCase(Locale.ROOT).replace("-", "");
    }
}
