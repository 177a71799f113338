package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiteralsTest {

    @Test
    void doublesQuotesAndRefusesWhatCouldEscape() {
        assertEquals("'en_US.UTF-8'", Literals.quote("en_US.UTF-8"));
        assertEquals("'it''s; DROP ROLE x; --'", Literals.quote("it's; DROP ROLE x; --"));
        assertEquals("''", Literals.quote(""));
        assertThrows(IllegalArgumentException.class, () -> Literals.quote("a\u0000b"));
        assertThrows(IllegalArgumentException.class, () -> Literals.quote("a\\'b"));
        assertThrows(IllegalArgumentException.class, () -> Literals.quote(null));
    }

    @Test
    void identifiersAcceptExactly63Bytes() {
        assertNull(Identifiers.problem("a".repeat(63)));
        assertEquals("\"" + "a".repeat(63) + "\"", Identifiers.quote("a".repeat(63)));
        assertThrows(IllegalArgumentException.class, () -> Identifiers.quote("a".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Identifiers.quote("€".repeat(22))); // 66 bytes
        assertEquals("\"we\"\"ird; DROP TABLE x; --\"", Identifiers.quote("we\"ird; DROP TABLE x; --"));
        assertThrows(IllegalArgumentException.class, () -> Identifiers.quote("a\nb"));
    }

    @Test
    void onlyDatabaseDdlNeedsAutocommit() {
        assertTrue(new SqlStep("x", "CREATE DATABASE \"a\"").needsAutocommit());
        assertTrue(new SqlStep("x", "DROP DATABASE \"a\"").needsAutocommit());
        for (String sql : List.of("CREATE ROLE \"CREATE DATABASE \"", "ALTER DATABASE \"a\" OWNER TO \"b\"", "GRANT x TO y")) {
            assertFalse(new SqlStep("x", sql).needsAutocommit(), sql);
        }
    }
}
