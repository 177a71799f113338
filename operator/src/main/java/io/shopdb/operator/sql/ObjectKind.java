package io.shopdb.operator.sql;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kinds of object a grant can name, each with the privileges PostgreSQL allows on it. Privilege words
 * reach SQL only from these lists (or, for revokes, as the server's own keywords), never as free text.
 */
public enum ObjectKind {
    DATABASE("DATABASE", null, 'd', List.of("CONNECT", "CREATE", "TEMPORARY")),
    SCHEMA("SCHEMA", null, 'n', List.of("USAGE", "CREATE")),
    /** Tables, partitioned tables, views, materialized views and foreign tables (GRANT ... ON TABLE takes them all). */
    TABLE("TABLE", "TABLES", 'r', List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")),
    SEQUENCE("SEQUENCE", "SEQUENCES", 'S', List.of("USAGE", "SELECT", "UPDATE")),
    /** Functions, procedures and aggregates: ON ROUTINE addresses all three. */
    FUNCTION("ROUTINE", "FUNCTIONS", 'f', List.of("EXECUTE"));

    private final String keyword;
    private final String defaultsKeyword;
    private final char defaultAclType;
    private final List<String> privileges;

    ObjectKind(String keyword, String defaultsKeyword, char defaultAclType, List<String> privileges) {
        this.keyword = keyword;
        this.defaultsKeyword = defaultsKeyword;
        this.defaultAclType = defaultAclType;
        this.privileges = privileges;
    }

    /** The word after ON in GRANT (ROUTINE for functions). */
    public String keyword() { return keyword; }

    /** The word after ON in ALTER DEFAULT PRIVILEGES (TABLES, SEQUENCES, FUNCTIONS); null when not allowed. */
    public String defaultsKeyword() { return defaultsKeyword; }

    /** pg_default_acl.defaclobjtype for this kind. */
    public char defaultAclType() { return defaultAclType; }

    public List<String> privileges() { return privileges; }

    /** The word used in descriptions ("FUNCTION" reads better than "ROUTINE" in a status). */
    public String label() { return this == FUNCTION ? "FUNCTION" : keyword; }

    public static ObjectKind fromDefaultAclType(char type) {
        for (ObjectKind k : values()) {
            if (k.defaultsKeyword != null && k.defaultAclType == type) {
                return k;
            }
        }
        throw new IllegalArgumentException("unsupported default ACL object type");
    }

    /**
     * Validates and canonicalises declared privileges: case-insensitive, TEMP means TEMPORARY, ALL (or
     * ALL PRIVILEGES) means every privilege of the kind. Unknown words are refused, so they never reach SQL.
     */
    public Set<String> normalize(Collection<String> declared) {
        Set<String> out = new TreeSet<>(order());
        if (declared == null) {
            return Set.copyOf(out);
        }
        for (String raw : declared) {
            String p = raw == null ? "" : raw.strip().toUpperCase(Locale.ROOT);
            if (p.equals("ALL") || p.equals("ALL PRIVILEGES")) {
                out.addAll(privileges);
            } else if (p.equals("TEMP") && this == DATABASE) {
                out.add("TEMPORARY");
            } else if (privileges.contains(p)) {
                out.add(p);
            } else {
                throw new IllegalArgumentException("privilege " + (p.matches("[A-Z ]{1,20}") ? p : "?")
                        + " does not apply to " + label() + " (allowed: " + String.join(", ", privileges) + ")");
            }
        }
        return out;
    }

    /** Canonical order: the documented order of the kind, then anything newer the server reports, by name. */
    public Comparator<String> order() {
        return Comparator.<String>comparingInt(p -> privileges.contains(p) ? privileges.indexOf(p) : privileges.size())
                .thenComparing(Comparator.naturalOrder());
    }
}
