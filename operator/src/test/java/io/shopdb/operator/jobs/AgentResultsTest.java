package io.shopdb.operator.jobs;

import io.shopdb.operator.jobs.AgentResults;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.PostgresBackupStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreStatus;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentResultsTest {

    @Test
    void aBackupSummaryFillsTheStatus() {
        String line = "{\"backupId\":\"b1\",\"method\":\"physical\",\"format\":\"tar\",\"serverVersion\":\"15.18\",\"durationMillis\":61234,"
                + "\"files\":2,\"totalBytes\":4096,\"manifestSha256\":\"ab\",\"walRange\":{\"timeline\":1,\"startLsn\":\"0/2000028\",\"endLsn\":\"0/2000100\"},"
                + "\"fileList\":[{\"path\":\"base.tar.gz\",\"size\":4000,\"sha256\":\"cd\"},{\"path\":\"pg_wal.tar.gz\",\"size\":96,\"sha256\":\"ef\"}]}";
        var status = new PostgresBackupStatus();
        AgentResults.applyBackup(status, AgentSummary.parse(line));
        assertEquals("b1", status.getBackupId());
        assertEquals(4096L, status.getSizeBytes());
        assertEquals(2, status.getFileCount());
        assertEquals("1/0/2000028-0/2000100", status.getWalRange());
        assertEquals("1m1.2s", status.getDuration());
        assertEquals("cd", status.getFiles().get(0).getSha256());
        assertEquals("15.18", status.getPostgresVersion());
    }

    @Test
    void exitCodesMapToReasonsAndOnlyServerOrStorageTroubleIsRetried() {
        var checksum = AgentResults.failure(3, AgentSummary.parse("{\"error\":\"CHECKSUM_MISMATCH\",\"message\":\"backup b1 is corrupted\"}"));
        assertEquals("ChecksumMismatch", checksum.reason());
        assertFalse(checksum.retryable());
        assertTrue(checksum.message().contains("backup b1 is corrupted"));
        assertEquals("VersionTooNew", AgentResults.failure(5, AgentSummary.parse(null)).reason());
        assertEquals("TargetNotEmpty", AgentResults.failure(4, AgentSummary.parse(null)).reason());
        assertEquals("InvalidRequest", AgentResults.failure(2, AgentSummary.parse(null)).reason());
        assertFalse(AgentResults.failure(6, AgentSummary.parse(null)).retryable());
        assertTrue(AgentResults.failure(7, AgentSummary.parse(null)).retryable());
        assertTrue(AgentResults.failure(8, AgentSummary.parse(null)).retryable());
        // a full volume stays full on the next attempt: a person frees space or grows it
        assertEquals("StorageFull", AgentResults.failure(10, AgentSummary.parse(null)).reason());
        assertFalse(AgentResults.failure(10, AgentSummary.parse(null)).retryable());
        var killed = AgentResults.failure(137, AgentSummary.parse(null));
        assertEquals("AgentFailed", killed.reason());
        assertTrue(killed.retryable());
        assertTrue(killed.message().contains("signal 9"), killed.message());
    }

    @Test
    void aRestoreResultGivesRowCounts() {
        var status = new PostgresRestoreStatus();
        AgentResults.applyRestore(status, AgentSummary.parse("{\"durationMillis\":900,\"rowCounts\":{\"public.orders\":250,\"public.items\":3}}"));
        assertEquals(250L, status.getRowCounts().get("public.orders"));
        assertEquals(2, status.getTables());
        assertEquals("0.9s", status.getDuration());
    }
}
