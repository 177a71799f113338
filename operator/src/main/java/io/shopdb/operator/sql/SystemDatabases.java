package io.shopdb.operator.sql;

import java.util.Set;

/**
 * The databases every PostgreSQL server makes for itself: {@code postgres} (the maintenance database the operator,
 * tools and the agent connect to) and the templates {@code template0} and {@code template1} (what CREATE DATABASE
 * copies). No resource may adopt, restore into or drop them. Compared exactly: identifiers are always quoted, so
 * {@code "Postgres"} is another database. The CRDs carry the same list as CEL rules.
 */
public final class SystemDatabases {
    public static final Set<String> NAMES = Set.of("postgres", "template0", "template1");

    private SystemDatabases() {}

    public static boolean is(String database) {
        return database != null && NAMES.contains(database);
    }

    /** Why {@code database} cannot be used, or null when it can. */
    public static String problem(String database) {
        return is(database) ? "\"" + database + "\" is one of the server's own databases (postgres, template0, template1), which no resource may manage, restore into or drop; choose another name"
                : null;
    }
}
