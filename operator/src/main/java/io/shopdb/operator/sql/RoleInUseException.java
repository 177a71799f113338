package io.shopdb.operator.sql;

import java.util.List;

/**
 * A role cannot be dropped because something still depends on it. Nothing was changed. The message names
 * where, so a person can reassign or drop those objects (or the operator can revoke privileges in the
 * databases it manages) and retry.
 */
public class RoleInUseException extends Exception {
    private final String role;
    private final List<String> owns;
    private final List<String> privilegesIn;

    public RoleInUseException(String role, List<String> owns, List<String> privilegesIn) {
        super(message(role, owns, privilegesIn));
        this.role = role;
        this.owns = List.copyOf(owns);
        this.privilegesIn = List.copyOf(privilegesIn);
    }

    public String role() { return role; }

    /** What it owns, e.g. "objects in database shop", "database shop". */
    public List<String> owns() { return owns; }

    /** Databases where it still holds privileges (revoked only where the operator manages the database). */
    public List<String> privilegesIn() { return privilegesIn; }

    private static String message(String role, List<String> owns, List<String> privilegesIn) {
        StringBuilder sb = new StringBuilder("role ").append(role).append(" was not dropped:");
        if (!owns.isEmpty()) {
            sb.append(" it owns ").append(String.join(", ", owns))
                    .append(" (reassign them, e.g. REASSIGN OWNED, or drop them first)");
        }
        if (!privilegesIn.isEmpty()) {
            sb.append(owns.isEmpty() ? "" : ";").append(" it holds privileges in ")
                    .append(String.join(", ", privilegesIn)).append(" (revoke them there first)");
        }
        return sb.toString();
    }
}
