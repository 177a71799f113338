package io.shopdb.operator.agent.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the agent writes is what the operator reads: one type, one mapper. */
class AgentSummaryTest {

    static AgentSummary backup(int files) {
        List<AgentSummary.File> list = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            list.add(new AgentSummary.File("shop/" + i + ".dat.gz", "shop", 1, "a".repeat(64)));
        }
        return new AgentSummary.Builder().backupId("b1").method("physical").format("tar").serverVersion("15.18")
                .startedAt("2026-01-01T00:00:00Z").durationMillis(61234).files(files).totalBytes(4096).manifestSha256("ab")
                .walRange(new AgentSummary.WalRange(1, "0/2000028", "0/2000100")).databases(List.of("shop")).fileList(list).build();
    }

    @Test
    void aSummaryReadsBackEqual() {
        for (AgentSummary s : List.of(backup(2), AgentSummary.failure("CHECKSUM_MISMATCH", "backup b1 is corrupted"),
                AgentSummary.skipped("pod x-1 is not ordinal 0"), AgentSummary.deleted("b1"),
                new AgentSummary.Builder().ok(false).backupId("b1").mismatches(List.of("public.orders: 3 rows, manifest says 4")).build(),
                new AgentSummary.Builder().rowCounts(Map.of("public.orders", 250L)).durationMillis(900).build(),
                new AgentSummary.Builder().ok(false).tables(3).mismatchCount(1).mismatches(List.of("sales.orders: rows: source 20000, target 19999"))
                        .rolesNotCarriedOver(List.of("legacy_reports")).snapshot("00000003-00000002-1").build())) {
            assertEquals(s, AgentSummary.parse(s.toJson()), s.toJson());
            assertEquals(s, AgentSummary.parse(s.toTerminationMessage()));
        }
    }

    @Test
    void theWireNamesAreTheAgentsJsonAndNullsAreLeftOut() {
        String json = AgentSummary.failure("IO", "disk full").toJson();
        assertEquals("{\"error\":\"IO\",\"message\":\"disk full\"}", json);
        assertTrue(backup(1).toJson().contains("\"walRange\":{\"timeline\":1,\"startLsn\":\"0/2000028\",\"endLsn\":\"0/2000100\"}"));
    }

    @Test
    void aTerminationMessageFitsFourKibibytesByDroppingBulkyFieldsFirst() {
        AgentSummary big = backup(200);
        assertTrue(big.toJson().getBytes(StandardCharsets.UTF_8).length > AgentSummary.TERMINATION_LIMIT);
        String compact = big.toTerminationMessage();
        assertTrue(compact.getBytes(StandardCharsets.UTF_8).length <= AgentSummary.TERMINATION_LIMIT);
        AgentSummary read = AgentSummary.parse(compact);
        assertEquals("b1", read.backupId());
        assertEquals(200, read.files());
        assertEquals(Boolean.TRUE, read.truncated());
        assertNull(read.fileList());
        assertEquals(List.of("shop"), read.databases(), "only as much is dropped as needed");

        AgentSummary longError = AgentSummary.failure("TOOL_FAILED", "x".repeat(10_000));
        String cut = longError.toTerminationMessage();
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= AgentSummary.TERMINATION_LIMIT);
        assertEquals("TOOL_FAILED", AgentSummary.parse(cut).error());
    }

    @Test
    void somethingElseInTheTerminationMessageReadsAsEmpty() {
        assertEquals(new AgentSummary.Builder().build(), AgentSummary.parse("not json"));
        assertEquals(new AgentSummary.Builder().build(), AgentSummary.parse(null));
        assertEquals("b1", AgentSummary.parse("{\"backupId\":\"b1\",\"fieldOfANewerAgent\":1}").backupId());
    }
}
