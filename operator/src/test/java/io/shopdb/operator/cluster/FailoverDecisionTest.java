package io.shopdb.operator.cluster;

import io.shopdb.operator.cluster.FailoverDecision.Promote;
import io.shopdb.operator.cluster.FailoverDecision.Refuse;
import io.shopdb.operator.cluster.FailoverDecision.Wait;
import io.shopdb.operator.sql.ReplicationQueries.Position;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The failover rule as a function: which replica, if any, is promoted when the primary db-0 is lost. */
class FailoverDecisionTest {
    static Position replayed(long lsn) {
        return new Position(true, lsn, null, lsn); // in recovery, its WAL receiver stopped
    }

    static Position receiving(long lsn) {
        return new Position(true, lsn, "streaming", lsn);
    }

    @Test
    void aReplicaStillReceivingWalFromTheLostPrimaryMeansWait() {
        var v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(100), "db-2", receiving(90)), null, 2, Set.of("db-1", "db-2"), Set.of(), null);
        assertEquals(new Wait(List.of("db-2"), List.of()), v);
    }

    @Test
    void aReadyReplicaThatDoesNotAnswerMeansWait() {
        // it may be following the lost primary beyond the operator's reach, and then that primary's guard holds on
        var v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(100)), null, 2, Set.of("db-1", "db-2"), Set.of("db-2"), null);
        assertEquals(new Wait(List.of(), List.of("db-2")), v);
    }

    @Test
    void asynchronousPromotesTheMostAdvancedReplicaThatWasStreaming() {
        var v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(100), "db-2", replayed(200)), null, 2, Set.of("db-1", "db-2"), Set.of(), null);
        assertEquals(new Promote("db-2", 200), v);
        // db-2 was disconnected before the loss: however far it got, it may miss more than the last moments
        v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(100), "db-2", replayed(200)), null, 2, Set.of("db-1"), Set.of(), null);
        assertEquals(new Promote("db-1", 100), v);
    }

    @Test
    void asynchronousRefusesWhenNoReplicaThatWasStreamingAnswers() {
        var v = FailoverDecision.decide("db-0", Map.of("db-2", replayed(200)), null, 2, Set.of("db-1"), Set.of(), null);
        var refuse = assertInstanceOf(Refuse.class, v);
        assertTrue(refuse.why().contains("streaming when last seen: db-1; answering: db-2"), refuse.why());
    }

    @Test
    void synchronousNeedsEnoughAnsweringReplicasToHoldEveryAcknowledgedCommit() {
        // ANY 1 of 2: each commit is on one standby; both must answer to know which has it
        var v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(500)), 1, 2, Set.of("db-1", "db-2"), Set.of(), null);
        assertTrue(assertInstanceOf(Refuse.class, v).why().contains("at least 2 are needed"));
        v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(500), "db-2", replayed(700)), 1, 2, Set.of(), Set.of(), null);
        assertEquals(new Promote("db-2", 700), v, "in synchronous mode the quorum, not the last status, decides");
        // ANY 2 of 2: every commit is on both; one answering is enough
        v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(500)), 2, 2, Set.of(), Set.of(), null);
        assertEquals(new Promote("db-1", 500), v);
    }

    @Test
    void asynchronousAlsoPromotesAReplicaWithinOneSegmentOfThePrimarysLastPosition() {
        // a partition dropped db-1's stream a moment before the primary was lost: not streaming, but nearly complete
        long primary = 100L * 1024 * 1024;
        var v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(primary - 4096)), null, 1, Set.of(), Set.of(), primary);
        assertEquals(new Promote("db-1", primary - 4096), v);
        v = FailoverDecision.decide("db-0", Map.of("db-1", replayed(primary - FailoverDecision.MAX_ASYNC_LAG_BYTES - 1)), null, 1, Set.of(), Set.of(), primary);
        assertTrue(assertInstanceOf(Refuse.class, v).why().contains("none within 16 MiB"), "far behind: refused");
    }

    @Test
    void tiesGoToTheLowestOrdinal() {
        var v = FailoverDecision.decide("db-0", Map.of("db-3", replayed(100), "db-1", replayed(100), "db-2", replayed(100)), null, 3,
                Set.of("db-1", "db-2", "db-3"), Set.of(), null);
        assertEquals(new Promote("db-1", 100), v);
    }
}
