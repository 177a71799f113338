package io.shopdb.operator.sql;

import java.util.Locale;

/**
 * One statement of a plan: {@code sql} is exactly one statement (pgjdbc would run several), built only from
 * quoted identifiers and validated literals; {@code description} is the same change in plain words for
 * status and Events. Neither ever holds a password.
 */
public record SqlStep(String description, String sql) {

    public SqlStep {
        if (description == null || sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("a step needs a description and a statement");
        }
    }

    /**
     * CREATE DATABASE and DROP DATABASE refuse to run inside a transaction block. The check looks only at the
     * statement's leading keywords, which plans write themselves (names come later and are quoted).
     */
    public boolean needsAutocommit() {
        String head = sql.stripLeading().toUpperCase(Locale.ROOT);
        return head.startsWith("CREATE DATABASE ") || head.startsWith("DROP DATABASE ");
    }

    @Override
    public String toString() {
        return description;
    }
}
