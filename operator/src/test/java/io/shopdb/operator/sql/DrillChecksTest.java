package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A failed drill check is described by its SQLSTATE and a generic class, never by the server's text. */
class DrillChecksTest {

    @Test
    void anErrorBecomesItsSqlStateAndClassWithoutTheServersText() {
        var e = new SQLException("ERROR: invalid input syntax for type integer: \"4111-1111-1111-1111\"", "22P02");
        assertEquals("SQLSTATE 22P02 (invalid text representation)", DrillChecks.describe(e));
        assertEquals("SQLSTATE 42501 (insufficient privilege)", DrillChecks.describe(new SQLException("permission denied for table t", "42501")));
        assertEquals("SQLSTATE 23505 (integrity constraint violation)",
                DrillChecks.describe(new SQLException("duplicate key value violates unique constraint; Key (email)=(a@b.c)", "23505")));
        assertEquals("SQLSTATE P0001 (raised exception)", DrillChecks.describe(new SQLException("row data in a RAISE", "P0001")));
        assertEquals("SQLSTATE ZZ999 (error class ZZ)", DrillChecks.describe(new SQLException("x", "ZZ999")));
    }

    @Test
    void theStateIsFoundAlongTheChainAndAMissingOneSaysSo() {
        var wrapped = new SQLException("pool: wrapped", null, new SQLException("inner text with data", "57014"));
        assertEquals("SQLSTATE 57014 (query canceled: statement timeout)", DrillChecks.describe(wrapped));
        assertEquals("no SQLSTATE (connection or driver error)", DrillChecks.describe(new SQLException("secret text")));
        assertEquals("no SQLSTATE (connection or driver error)", DrillChecks.describe(new SQLException("x", "bad state text")));
    }
}
