package io.shopdb.operator.sql;

import java.nio.charset.StandardCharsets;

/**
 * The one place identifiers from custom resources become SQL. Every name is validated (PostgreSQL
 * silently truncates names over 63 bytes, which would make two CRs collide) and double-quoted, so quotes,
 * semicolons or unicode in a name are created exactly as written and never executed.
 */
public final class Identifiers {
    public static final int MAX_BYTES = 63;

    private Identifiers() {}

    /** Returns why the name is not a usable identifier, or null when it is. Never echoes control characters. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "is " + bytes + " bytes long; PostgreSQL identifiers are at most " + MAX_BYTES + " bytes";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character";
            }
        }
        return null;
    }

    /** Throws with the field's path and the problem when {@code name} is not a usable identifier. */
    public static void require(String field, String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidFieldException(field, problem);
        }
    }

    /** Double-quotes a validated identifier, doubling any embedded quote. */
    public static String quote(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid identifier: " + problem);
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
