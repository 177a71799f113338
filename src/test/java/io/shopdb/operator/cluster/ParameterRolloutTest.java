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
}
