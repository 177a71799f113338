package io.shopdb.operator.cluster;

import io.shopdb.operator.sql.ServerState;
import io.shopdb.operator.sql.ServerState.FileSetting;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ParameterRolloutTest {
    private static final Map<String, String> DESIRED = new LinkedHashMap<>(Map.of("work_mem", "16MB", "shared_buffers", "256MB"));

    private static ServerState state(List<FileSetting> file, List<String> pending) {
        return new ServerState("15.18", false, List.of(), file, pending);
    }

    @Test
    void currentWhenTheFileMatchesWhateverAppliedSays() {
        var v = ParameterRollout.judge(DESIRED, state(List.of(new FileSetting("work_mem", "16MB", true, null),
                new FileSetting("shared_buffers", "256MB", false, null)), List.of("shared_buffers")));
        assertEquals(ParameterRollout.Step.FILE_CURRENT, v.step());
    }

    @Test
    void waitsForTheFileWhileTheMountedCopyIsOld() {
        var v = ParameterRollout.judge(DESIRED, state(List.of(new FileSetting("work_mem", "8MB", true, null),
                new FileSetting("shared_buffers", "256MB", true, null)), List.of()));
        assertEquals(new ParameterRollout.Verdict(ParameterRollout.Step.WAIT_FOR_FILE, List.of("work_mem")), v);
    }

    @Test
    void waitsForTheFileWhileItStillHasALineThatWasRemoved() {
        var v = ParameterRollout.judge(Map.of("work_mem", "16MB"), state(List.of(new FileSetting("work_mem", "16MB", true, null),
                new FileSetting("shared_buffers", "256MB", true, null)), List.of()));
        assertEquals(ParameterRollout.Step.WAIT_FOR_FILE, v.step());
    }

    @Test
    void aChangedRestartParameterIsPendingNotInvalid() {
        var v = ParameterRollout.judge(DESIRED, state(List.of(new FileSetting("work_mem", "16MB", true, null),
                new FileSetting("shared_buffers", "256MB", false, "setting could not be applied")), List.of("shared_buffers")));
        assertEquals(ParameterRollout.Step.FILE_CURRENT, v.step());
    }

    @Test
    void aValueTheServerRefusesIsInvalid() {
        var v = ParameterRollout.judge(DESIRED, state(List.of(new FileSetting("work_mem", "16MB", false, "invalid value"),
                new FileSetting("shared_buffers", "256MB", true, null)), List.of()));
        assertEquals(new ParameterRollout.Verdict(ParameterRollout.Step.INVALID, List.of("work_mem: invalid value")), v);
    }

    private static ParameterRollout.Instance i(String name, boolean ready, boolean current, boolean streaming) {
        return new ParameterRollout.Instance(name, ready, current, streaming);
    }

    @Test
    void replicasRestartFirstHighestOrdinalFirstThenTheCurrentPrimarySwitchesOver() {
        var all = List.of(i("db-0", true, false, false), i("db-1", true, false, true), i("db-2", true, false, true));
        assertEquals(new ParameterRollout.Restart(ParameterRollout.Action.RESTART_REPLICA, "db-2"), ParameterRollout.nextRestart("db-0", all));
        var oneDone = List.of(i("db-0", true, false, false), i("db-1", true, false, true), i("db-2", false, true, false));
        assertEquals(ParameterRollout.Action.WAIT, ParameterRollout.nextRestart("db-0", oneDone).action(), "one at a time");
        var replicasDone = List.of(i("db-0", true, false, false), i("db-1", true, true, true), i("db-2", true, true, true));
        assertEquals(new ParameterRollout.Restart(ParameterRollout.Action.SWITCH_OVER, "db-1"), ParameterRollout.nextRestart("db-0", replicasDone),
                "the primary is never simply down for a restart");
        var done = List.of(i("db-0", true, true, true), i("db-1", true, true, false), i("db-2", true, true, true));
        assertEquals(ParameterRollout.Action.NONE, ParameterRollout.nextRestart("db-1", done).action());
    }

    @Test
    void aSingleInstanceRestartsInPlaceAndABrokenOutdatedReplicaGoesFirst() {
        assertEquals(new ParameterRollout.Restart(ParameterRollout.Action.RESTART_PRIMARY, "db-0"),
                ParameterRollout.nextRestart("db-0", List.of(i("db-0", true, false, false))));
        var broken = List.of(i("db-0", true, false, false), i("db-1", false, false, false), i("db-2", true, true, true));
        assertEquals(new ParameterRollout.Restart(ParameterRollout.Action.RESTART_REPLICA, "db-1"), ParameterRollout.nextRestart("db-0", broken),
                "a crash-looping replica on the old template gets the new one at once");
        var noStreamingTarget = List.of(i("db-0", true, false, false), i("db-1", true, true, false));
        assertEquals(ParameterRollout.Action.WAIT, ParameterRollout.nextRestart("db-0", noStreamingTarget).action(),
                "no switchover to a replica that is not streaming");
    }
}
