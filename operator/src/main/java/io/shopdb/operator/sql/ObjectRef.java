package io.shopdb.operator.sql;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An object privileges are held on. DATABASE and SCHEMA use only {@code name}; tables and sequences add their
 * schema; functions add their input argument types (needed to name an overloaded function exactly).
 */
public record ObjectRef(ObjectKind kind, String schema, String name, List<TypeName> args) {

    /** A type as the catalog names it (pg_type.typname in its schema), so it can be quoted like any name. */
    public record TypeName(String schema, String name) {
        String sql() { return Identifiers.quote(schema) + "." + Identifiers.quote(name); }
        String text() { return "pg_catalog".equals(schema) ? name : schema + "." + name; }
    }

    public ObjectRef {
        args = args == null ? List.of() : List.copyOf(args);
    }

    public static ObjectRef database(String name) { return new ObjectRef(ObjectKind.DATABASE, null, name, null); }
    public static ObjectRef schema(String name) { return new ObjectRef(ObjectKind.SCHEMA, null, name, null); }
    public static ObjectRef table(String schema, String name) { return new ObjectRef(ObjectKind.TABLE, schema, name, null); }
    public static ObjectRef sequence(String schema, String name) { return new ObjectRef(ObjectKind.SEQUENCE, schema, name, null); }
    public static ObjectRef function(String schema, String name, List<TypeName> args) {
        return new ObjectRef(ObjectKind.FUNCTION, schema, name, args);
    }

    /** The object as it follows ON in GRANT/REVOKE, e.g. {@code TABLE "shop"."orders"}; every name quoted. */
    public String sql() {
        String target = schema == null ? Identifiers.quote(name) : Identifiers.quote(schema) + "." + Identifiers.quote(name);
        if (kind == ObjectKind.FUNCTION) {
            target += args.stream().map(TypeName::sql).collect(Collectors.joining(", ", "(", ")"));
        }
        return kind.keyword() + " " + target;
    }

    /** The object in plain words for status, e.g. {@code TABLE shop.orders}. */
    public String text() {
        String target = schema == null ? name : schema + "." + name;
        if (kind == ObjectKind.FUNCTION) {
            target += args.stream().map(TypeName::text).collect(Collectors.joining(", ", "(", ")"));
        }
        return kind.label() + " " + target;
    }

    /** Sort key so plans come out in a stable order: kind, schema, name, arguments. */
    String sortKey() {
        return kind.ordinal() + "\u0000" + (schema == null ? "" : schema) + "\u0000" + name + "\u0000" + args;
    }
}
