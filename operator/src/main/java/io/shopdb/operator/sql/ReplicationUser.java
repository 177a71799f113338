package io.shopdb.operator.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Ensures the role replicas stream with exists and can log in with the password from its Secret.
 * The password is hashed client-side (SCRAM), so it never travels or reaches server logs in clear.
 */
public final class ReplicationUser {
    static final String EXISTS = "SELECT rolreplication AND rolcanlogin FROM pg_roles WHERE rolname = ?";

    private ReplicationUser() {}

    /** Returns true when it changed anything. */
    public static boolean ensure(Connection c, String role, char[] password) throws SQLException {
        boolean changed = false;
        Boolean ok = null;
        try (PreparedStatement ps = c.prepareStatement(EXISTS)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    ok = rs.getBoolean(1);
                }
            }
        }
        try (Statement st = c.createStatement()) {
            if (ok == null) {
                st.execute("CREATE ROLE " + Identifiers.quote(role) + " WITH REPLICATION LOGIN");
                changed = true;
            } else if (!ok) {
                st.execute("ALTER ROLE " + Identifiers.quote(role) + " WITH REPLICATION LOGIN");
                changed = true;
            }
        }
        changed |= RoleCatalog.ensurePassword(c, role, password);
        return changed;
    }
}
