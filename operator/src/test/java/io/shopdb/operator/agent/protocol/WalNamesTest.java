package io.shopdb.operator.agent.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** PostgreSQL's WAL file names and LSNs, as pg_walfile_name and pg_lsn spell them. */
class WalNamesTest {

    @Test
    void segmentsAreNamedAsPgWalfileNameNamesThem() {
        // SELECT pg_walfile_name('1/5000028') on timeline 2 = 000000020000000100000005
        WalNames.Segment s = WalNames.segmentAt(2, WalNames.lsn("1/5000028"));
        assertEquals("000000020000000100000005", s.fileName());
        assertEquals(s, WalNames.segmentOf("000000020000000100000005"));
        assertEquals(0x105, s.number());
        assertEquals(WalNames.lsn("1/6000000"), s.endLsn());
        assertEquals("0/FF", WalNames.lsnText(0xFF));
        assertEquals("1/5000028", WalNames.lsnText(WalNames.lsn("1/5000028")));
        assertThrows(IllegalArgumentException.class, () -> WalNames.lsn("5000028"));
    }

    @Test
    void everyKindOfArchivedFileIsRecognized() {
        assertTrue(WalNames.isWalFile("000000010000000000000003"));
        assertTrue(WalNames.isWalFile("00000002.history"));
        assertTrue(WalNames.isWalFile("000000010000000000000003.partial"));
        assertTrue(WalNames.isWalFile("000000010000000000000002.00000028.backup"));
        assertFalse(WalNames.isWalFile("../../etc/passwd"));
        assertFalse(WalNames.isWalFile("00000001000000000000000g"));
        assertTrue(WalNames.isSegment("000000010000000000000003"));
        assertFalse(WalNames.isSegment("000000010000000000000003.partial"));
        assertNull(WalNames.segmentOf("00000002.history"));
        assertEquals(3, WalNames.segmentOf("000000010000000000000003.partial").number(), "a partial file belongs to its segment");
        assertTrue(WalNames.segmentOf("000000020000000000000003").compareTo(WalNames.segmentOf("000000010000000000000004")) < 0,
                "ordered by position in the WAL, then timeline");
    }
}
