package io.shopdb.operator.sql;

/**
 * The one place a value becomes an SQL string literal, for the few DDL clauses where PostgreSQL accepts
 * no bind parameter (ENCODING 'x', LOCALE 'x', VALID UNTIL 'ts', extension VERSION 'x'). Callers validate
 * the value's shape first; this only makes sure it cannot end the literal.
 */
public final class Literals {
    private Literals() {}

    /**
     * Single-quotes a value for a server with standard_conforming_strings on (the default since 9.1), where
     * the only special character inside '...' is the quote itself. Backslashes are refused as well: with
     * standard_conforming_strings off they would escape the closing quote, and no value we pass (encodings,
     * locales, timestamps, versions) needs one. NUL cannot be sent to PostgreSQL at all.
     */
    public static String quote(String value) {
        if (value == null) {
            throw new IllegalArgumentException("literal must not be null");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("literal contains a NUL character");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("literal contains a backslash");
            }
        }
        return '\'' + value.replace("'", "''") + '\'';
    }
}
