package io.shopdb.operator.metrics;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pools are retired only for clusters known to be gone, never because one cache read came back empty or failed. */
class GoneClustersTest {
    final GoneClusters gone = new GoneClusters();

    @Test
    void untrustedReadsRetireNothingHoweverMany() {
        assertEquals(Set.of(), gone.pass(Set.of("shop/a", "shop/b")));
        for (int i = 0; i < 10; i++) {
            assertEquals(Set.of(), gone.pass(null), "informer not synced or read failed");
        }
        assertEquals(Set.of(), gone.pass(Set.of("shop/a", "shop/b")));
    }

    @Test
    void oneEmptyReadRetiresNothingTwoInARowRetireEachClusterOnce() {
        gone.pass(Set.of("shop/a", "shop/b"));
        assertEquals(Set.of(), gone.pass(Set.of()), "a single empty read is not a deletion");
        assertEquals(Set.of("shop/a", "shop/b"), gone.pass(Set.of()));
        assertEquals(Set.of(), gone.pass(Set.of()), "reported once");
    }

    @Test
    void aClusterSeenAgainStartsTheCountAgain() {
        gone.pass(Set.of("shop/a", "shop/b"));
        gone.pass(Set.of("shop/b"));
        assertEquals(Set.of(), gone.pass(Set.of("shop/a", "shop/b")), "a was back");
        assertEquals(Set.of(), gone.pass(Set.of("shop/b")));
        assertEquals(Set.of("shop/a"), gone.pass(Set.of("shop/b")));
    }

    @Test
    void anUntrustedReadBetweenTwoAbsencesNeitherCountsNorResets() {
        gone.pass(Set.of("shop/a"));
        gone.pass(Set.of());
        assertEquals(Set.of(), gone.pass(null));
        assertEquals(Set.of("shop/a"), gone.pass(Set.of()));
    }

    @Test
    void aClusterNeverSeenIsNeverGone() {
        assertEquals(Set.of(), gone.pass(Set.of()));
        assertEquals(Set.of(), gone.pass(Set.of()));
        assertEquals(Set.of(), gone.pass(Set.of()));
    }
}
