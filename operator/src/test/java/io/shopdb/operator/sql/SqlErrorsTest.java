package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlErrorsTest {

    @Test
    void catalogConflictsAreRetriableAndNotOutages() {
        assertTrue(SqlErrors.isConflict(new SQLException("could not serialize access", "40001")));
        assertTrue(SqlErrors.isConflict(new SQLException("deadlock detected", "40P01")));
        assertTrue(SqlErrors.isConflict(new SQLException("could not obtain lock", "55P03")));
        // what two concurrent GRANT CONNECT ON DATABASE really raise (the step wraps the driver's exception)
        SQLException tuple = new SQLException("step \"GRANT CONNECT\" failed: ERROR: tuple concurrently updated", "XX000");
        assertTrue(SqlErrors.isConflict(tuple));
        assertEquals(SqlErrors.CATALOG_CONFLICT, SqlErrors.reason(tuple));
        assertFalse(SqlErrors.isUnreachable(tuple), "the server is fine");
        assertFalse(SqlErrors.isConflict(new SQLException("could not open file", "XX000")), "other internal errors are not conflicts");
    }

    @Test
    void onlyAServerThatCannotBeReachedIsServerUnreachable() {
        assertEquals(SqlErrors.SERVER_UNREACHABLE, SqlErrors.reason(new SQLException("Connection refused", "08001", new ConnectException())));
        assertEquals(SqlErrors.SERVER_UNREACHABLE, SqlErrors.reason(new SQLException("terminating connection due to administrator command", "57P01")));
        assertEquals(SqlErrors.SERVER_UNREACHABLE, SqlErrors.reason(new SQLException("sorry, too many clients already", "53300")));
        assertEquals(SqlErrors.SERVER_UNREACHABLE, SqlErrors.reason(new SQLException("pool timeout", (String) null, new ConnectException())));
        assertEquals(SqlErrors.AUTHENTICATION_FAILED, SqlErrors.reason(new SQLException("password authentication failed", "28P01")));
        assertEquals(SqlErrors.PERMISSION_DENIED, SqlErrors.reason(new SQLException("permission denied for schema x", "42501")));
        assertEquals(SqlErrors.SQL_ERROR, SqlErrors.reason(new SQLException("syntax error", "42601")));
    }

    @Test
    void conflictsAreRetriedAtOnceABoundedNumberOfTimes() throws SQLException {
        AtomicInteger calls = new AtomicInteger();
        String result = SqlErrors.retryingConflicts(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new SQLException("ERROR: tuple concurrently updated", "XX000");
            }
            return "granted";
        });
        assertEquals("granted", result);
        assertEquals(3, calls.get());

        calls.set(0);
        SQLException always = new SQLException("deadlock detected", "40P01");
        assertSame(always, assertThrows(SQLException.class, () -> SqlErrors.retryingConflicts(() -> {
            calls.incrementAndGet();
            throw always;
        })));
        assertEquals(SqlErrors.CONFLICT_RETRIES + 1, calls.get(), "bounded");

        calls.set(0);
        assertThrows(SQLException.class, () -> SqlErrors.retryingConflicts(() -> {
            calls.incrementAndGet();
            throw new SQLException("permission denied", "42501");
        }));
        assertEquals(1, calls.get(), "anything else is not retried here");
    }

    @Test
    void serverTroubleIsFoundAnywhereAlongTheChainAndScriptErrorsAreNot() {
        assertTrue(SqlErrors.isServerTrouble(new RuntimeException("flyway", new java.sql.SQLException("gone", "08006"))));
        assertTrue(SqlErrors.isServerTrouble(new RuntimeException(new java.sql.SQLException("deadlock", "40P01"))));
        assertTrue(SqlErrors.isServerTrouble(new RuntimeException(new java.io.EOFException())));
        assertFalse(SqlErrors.isServerTrouble(new RuntimeException(new java.sql.SQLException("syntax", "42601"))));
        assertTrue(SqlErrors.unreachableState("57P01"));
        assertFalse(SqlErrors.unreachableState(null));
    }
}
