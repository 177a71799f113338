package io.shopdb.operator.sql;

import java.util.Map;

/** A database as pg_database shows it (read from any database of the server). */
public record ActualDatabase(String name, String owner, String encoding, String collate, String ctype) {

    /**
     * What is inside a database, read through a connection to it.
     *
     * @param schemas    non-system schema name → owner
     * @param extensions installed extension name → version and schema
     */
    public record Contents(Map<String, String> schemas, Map<String, Extension> extensions) {
        public Contents {
            schemas = Map.copyOf(schemas);
            extensions = Map.copyOf(extensions);
        }
    }

    public record Extension(String version, String schema) {}

    /** For status: who owns the database and how big it is. */
    public record Status(String owner, long sizeBytes) {}
}
