package io.shopdb.operator.cluster;

import io.shopdb.operator.sql.ServerState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the parameters of a running server stand against the desired file, judged from pg_file_settings
 * (which re-reads the file on every query). Pure: the reconciler acts on the verdict.
 */
public final class ParameterRollout {

    public enum Step {
        /** Everything in the file is in effect. */
        DONE,
        /** The mounted file does not show the desired content yet (the kubelet syncs ConfigMaps with a delay). */
        WAIT_FOR_FILE,
        /** The file is right but some reloadable values are not applied: call pg_reload_conf(). */
        RELOAD,
        /** Only values that need a restart are pending; the pod template hash rolls the pods. */
        WAIT_FOR_RESTART,
        /** The server refused a value. */
        INVALID
    }

    public record Verdict(Step step, List<String> details) {}

    private ParameterRollout() {}

    public static Verdict judge(Map<String, String> desired, ServerState state) {
        Map<String, ServerState.FileSetting> inFile = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (ServerState.FileSetting s : state.fileSettings()) {
            inFile.put(s.name(), s); // later lines win, as in PostgreSQL
            if (s.error() != null) {
                errors.add(s.name() + ": " + s.error());
            }
        }
        if (!errors.isEmpty()) {
            return new Verdict(Step.INVALID, errors);
        }
        List<String> stale = new ArrayList<>();
        for (var e : desired.entrySet()) {
            ServerState.FileSetting s = inFile.get(e.getKey());
            if (s == null || !e.getValue().equals(s.setting())) {
                stale.add(e.getKey());
            }
        }
        if (!stale.isEmpty() || inFile.size() != desired.size()) {
            return new Verdict(Step.WAIT_FOR_FILE, stale);
        }
        List<String> reload = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        inFile.values().stream().filter(s -> !s.applied()).forEach(s ->
                (PostgresParameters.needsRestart(s.name()) ? restart : reload).add(s.name()));
        if (!reload.isEmpty()) {
            return new Verdict(Step.RELOAD, reload);
        }
        if (!restart.isEmpty() || !state.pendingRestart().isEmpty()) {
            List<String> pending = new ArrayList<>(restart);
            state.pendingRestart().stream().filter(p -> !pending.contains(p)).forEach(pending::add);
            return new Verdict(Step.WAIT_FOR_RESTART, pending);
        }
        return new Verdict(Step.DONE, List.of());
    }
}
