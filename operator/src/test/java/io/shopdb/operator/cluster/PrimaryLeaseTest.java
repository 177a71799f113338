package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** When the operator may promote without waiting for a lost primary's lease to run out: only once its process is gone. */
class PrimaryLeaseTest {
    static Pod pod(String uid, boolean running, int restarts) {
        var b = new PodBuilder().withNewMetadata().withName("db-0").withUid(uid).endMetadata().withNewStatus()
                .addNewContainerStatus().withName("postgres").withRestartCount(restarts);
        var status = running ? b.withNewState().withNewRunning().withStartedAt("2026-12-06T10:00:00Z").endRunning().endState()
                : b.withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState();
        return status.endContainerStatus().endStatus().build();
    }

    @Test
    void theLostPrimarysProcessIsGoneOnlyWhenItsPodOrContainerSaysSo() {
        assertTrue(PrimaryLease.stopped(null, "u1", 0), "no pod");
        assertTrue(PrimaryLease.stopped(pod("u2", true, 0), "u1", 0), "another pod object of that name");
        assertTrue(PrimaryLease.stopped(pod("u1", false, 0), "u1", 0), "its postgres container is not running");
        assertTrue(PrimaryLease.stopped(pod("u1", true, 1), "u1", 0), "restarted since it was last seen up");
        assertFalse(PrimaryLease.stopped(pod("u1", true, 0), "u1", 0), "the same process, running: maybe cut off");
        assertFalse(PrimaryLease.stopped(pod("u1", true, 5), "u1", null), "restart count unknown: assume it runs");
    }

    @Test
    void theBoundCountsFromTheLaterOfTheLastRenewalAndTheLastReplicaSeenStreaming() {
        Instant look = Instant.parse("2026-12-06T10:00:00Z");
        assertEquals(look.plus(PrimaryLease.SELF_FENCED_AFTER), PrimaryLease.selfFencedBy(null, null, look), "no renewal known: from the first look");
        assertEquals(look.plusSeconds(3).plus(PrimaryLease.SELF_FENCED_AFTER), PrimaryLease.selfFencedBy(look.plusSeconds(3), null, look));
        assertEquals(look.plusSeconds(5).plus(PrimaryLease.SELF_FENCED_AFTER), PrimaryLease.selfFencedBy(look.plusSeconds(3), look.plusSeconds(5), look));
        assertEquals(look.plus(PrimaryLease.SELF_FENCED_AFTER), PrimaryLease.selfFencedBy(look.minusSeconds(9), null, look),
                "a renewal older than the first look: it may have renewed since, as far as this operator knows");
    }
}
