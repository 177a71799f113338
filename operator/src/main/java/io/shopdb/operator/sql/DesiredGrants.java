package io.shopdb.operator.sql;

import java.util.List;
import java.util.Set;

/**
 * Everything one role should hold inside one database, as declared. Whatever the role holds there beyond
 * this (within the scope described in {@link GrantPlan}) is drift and gets revoked. Names are validated
 * and privileges canonicalised on construction, so a plan never sees a bad value.
 *
 * @param database  privileges on the database itself: CONNECT, CREATE, TEMPORARY
 * @param schemas   privileges on schemas: USAGE, CREATE
 * @param allInSchema privileges on every current table, sequence or function of a schema
 * @param tables    privileges on named tables (or views)
 * @param defaults  default privileges: what objects created later by {@code creator} grant this role
 */
public record DesiredGrants(String role, Set<String> database, List<OnSchema> schemas, List<AllInSchema> allInSchema,
                            List<OnTable> tables, List<Defaults> defaults) {

    public record OnSchema(String schema, Set<String> privileges) {
        public OnSchema {
            check(schema);
            privileges = ObjectKind.SCHEMA.normalize(privileges);
        }
    }

    /** {@code kind} is TABLE, SEQUENCE or FUNCTION; expanded to the objects the schema holds when planned. */
    public record AllInSchema(ObjectKind kind, String schema, Set<String> privileges) {
        public AllInSchema {
            requireContained(kind);
            check(schema);
            privileges = kind.normalize(privileges);
        }
    }

    public record OnTable(String schema, String table, Set<String> privileges) {
        public OnTable {
            check(schema);
            check(table);
            privileges = ObjectKind.TABLE.normalize(privileges);
        }
    }

    /** {@code schema} null means every schema (ALTER DEFAULT PRIVILEGES without IN SCHEMA). */
    public record Defaults(String creator, String schema, ObjectKind kind, Set<String> privileges) {
        public Defaults {
            check(creator);
            if (schema != null) {
                check(schema);
            }
            requireContained(kind);
            privileges = kind.normalize(privileges);
        }
    }

    public DesiredGrants {
        check(role);
        database = ObjectKind.DATABASE.normalize(database);
        schemas = schemas == null ? List.of() : List.copyOf(schemas);
        allInSchema = allInSchema == null ? List.of() : List.copyOf(allInSchema);
        tables = tables == null ? List.of() : List.copyOf(tables);
        defaults = defaults == null ? List.of() : List.copyOf(defaults);
    }

    /** A role that should hold nothing in the database: planning against it revokes everything in scope. */
    public static DesiredGrants none(String role) {
        return new DesiredGrants(role, Set.of(), null, null, null, null);
    }

    private static void check(String name) {
        String problem = Identifiers.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid name: " + problem);
        }
    }

    private static void requireContained(ObjectKind kind) {
        if (kind == null || kind.defaultsKeyword() == null) {
            throw new IllegalArgumentException("kind must be TABLE, SEQUENCE or FUNCTION");
        }
    }
}
