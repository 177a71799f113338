package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class ReplicationUserPgTest {

    @Test
    void createsOnceThenIsANoOpAndFollowsAPasswordChange(TestPostgres pg) throws SQLException {
        char[] first = "first-password-123".toCharArray();
        try (Connection c = pg.connect()) {
            assertTrue(ReplicationUser.ensure(c, "repl_test", first), "first call creates the role");
            assertFalse(ReplicationUser.ensure(c, "repl_test", first), "second call changes nothing");
        }
        try (Connection c = PgConnections.open(pg.endpoint("postgres", "repl_test", first))) {
            assertEquals("repl_test", currentUser(c));
        }
        char[] second = "second-password-456".toCharArray();
        try (Connection c = pg.connect()) {
            assertTrue(ReplicationUser.ensure(c, "repl_test", second), "a new password is set");
        }
        assertThrows(SQLException.class, () -> PgConnections.open(pg.endpoint("postgres", "repl_test", first)).close(),
                "the old password is refused");
        try (Connection c = PgConnections.open(pg.endpoint("postgres", "repl_test", second))) {
            assertEquals("repl_test", currentUser(c));
        }
    }

    @Test
    void scramVerifierMatchesOnlyTheRightPassword(TestPostgres pg) throws SQLException {
        try (Connection c = pg.connect()) {
            ReplicationUser.ensure(c, "scram_probe", "right-one".toCharArray());
            String verifier;
            try (var ps = c.prepareStatement(RoleCatalog.VERIFIER)) {
                ps.setString(1, "scram_probe");
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    verifier = rs.getString(1);
                }
            }
            assertTrue(ScramVerifier.matches(verifier, "right-one".toCharArray()));
            assertFalse(ScramVerifier.matches(verifier, "wrong-one".toCharArray()));
            assertFalse(ScramVerifier.matches(null, "right-one".toCharArray()));
        }
    }

    private static String currentUser(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
