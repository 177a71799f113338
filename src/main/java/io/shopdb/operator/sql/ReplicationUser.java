package io.shopdb.operator.sql;

import org.postgresql.PGConnection;

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
    /** True when the stored SCRAM verifier was made from this password (checked without sending it). */
    static final String VERIFIER = "SELECT rolpassword FROM pg_authid WHERE rolname = ?";

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
        String verifier;
        try (PreparedStatement ps = c.prepareStatement(VERIFIER)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                verifier = rs.getString(1);
            }
        }
        if (!ScramVerifier.matches(verifier, password)) {
            // pgjdbc wipes the array it is given: hand it a copy so the caller keeps its password
            c.unwrap(PGConnection.class).alterUserPassword(role, password.clone(), "scram-sha-256");
            changed = true;
        }
        return changed;
    }
}
