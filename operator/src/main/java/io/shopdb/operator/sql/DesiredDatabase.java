package io.shopdb.operator.sql;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A database as declared. Encoding, locale and template apply at creation only (PostgreSQL cannot change
 * them later; {@link DatabasePlan#immutableDrift} reports a mismatch instead). Schemas and extensions not
 * listed are left alone; listed ones marked {@code absent} are dropped.
 *
 * @param owner    null: not managed (the creating user owns it)
 * @param encoding e.g. UTF8; null: the template's
 * @param locale   sets both LC_COLLATE and LC_CTYPE, e.g. en_US.UTF-8; null: the template's
 * @param template null: template1 (a locale or encoding different from it usually needs template0)
 */
public record DesiredDatabase(String name, String owner, String encoding, String locale, String template,
                              List<DesiredSchema> schemas, List<DesiredExtension> extensions) {

    /** @param owner null: the database's owner */
    public record DesiredSchema(String name, String owner, boolean absent) {
        public DesiredSchema {
            requireName(name);
            if (owner != null) {
                requireName(owner);
            }
            if (name.startsWith("pg_") || name.equals("information_schema")) {
                throw new IllegalArgumentException("schema " + name + " is reserved by PostgreSQL");
            }
        }
    }

    /** @param version null: the default version at creation, never updated; schema null: not managed */
    public record DesiredExtension(String name, String version, String schema, boolean absent) {
        public DesiredExtension {
            requireName(name);
            if (schema != null) {
                requireName(schema);
            }
            requireValue("extension version", version, "[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
        }
    }

    public DesiredDatabase {
        requireName(name);
        if (owner != null) {
            requireName(owner);
        }
        if (template != null) {
            requireName(template);
        }
        requireValue("encoding", encoding, "[A-Za-z][A-Za-z0-9_-]{0,31}");
        requireValue("locale", locale, "[A-Za-z][A-Za-z0-9_.@-]{0,63}");
        schemas = schemas == null ? List.of() : List.copyOf(schemas);
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
        unique(schemas.stream().map(DesiredSchema::name).toList(), "schema");
        unique(extensions.stream().map(DesiredExtension::name).toList(), "extension");
    }

    private static void requireName(String name) {
        String problem = Identifiers.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid name: " + problem);
        }
    }

    /** Values that become literals get a shape check first; Literals.quote is the second line of defence. */
    private static void requireValue(String what, String value, String pattern) {
        if (value != null && !value.matches(pattern)) {
            throw new IllegalArgumentException(what + " has unexpected characters");
        }
    }

    private static void unique(List<String> names, String what) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException(what + " " + n + " is listed twice");
            }
        }
    }
}
