package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.sql.ServerState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the parameters of a running server stand against the desired file, judged from pg_file_settings
 * (which re-reads the file on every query). Pure: the reconciler acts on the verdict.
 */
public final class ParameterRollout {

    public enum Step {
        /** The mounted file shows the desired content; whether it is in effect is for reload/restart to settle. */
        FILE_CURRENT,
        /** The mounted file does not show the desired content yet (the kubelet syncs ConfigMaps with a delay). */
        WAIT_FOR_FILE,
        /** The server refused a value. */
        INVALID
    }

    public record Verdict(Step step, List<String> details) {}

    /** What pg_file_settings says of a changed postmaster parameter before the restart: pending, not wrong. */
    static final String NEEDS_RESTART = "setting could not be applied";

    private ParameterRollout() {}

    /** What to do next when pods run an older pod template (a postmaster parameter or resources changed). */
    public enum Action { NONE, WAIT, RESTART_REPLICA, SWITCH_OVER, RESTART_PRIMARY }

    public record Restart(Action action, String pod) {}

    /** One instance as the rollout sees it: ready, on the current template, streaming from the primary. */
    public record Instance(String name, boolean ready, boolean current, boolean streaming) {}

    /**
     * The order that never leaves the cluster without a primary for a restart: replicas first (one at a time,
     * the highest ordinal first, as a StatefulSet rolls; an outdated replica that is not ready at once, it
     * serves nothing), then a switchover to an up-to-date streaming replica, whose deletion of the former
     * primary's pod is that pod's restart. A single instance can only be restarted in place.
     */
    public static Restart nextRestart(String primary, List<Instance> instances) {
        return nextRestart(primary, instances, false);
    }

    /**
     * True when {@code desired} lowers a setting that a hot standby must have at least as high as its primary
     * (max_connections, max_prepared_transactions, max_locks_per_transaction, max_wal_senders,
     * max_worker_processes): a replica restarted first with the lower value would refuse to start, so the
     * primary must restart first (in place) for such a change.
     */
    public static boolean lowersHotStandbySetting(Map<String, String> desired, Map<String, Long> running) {
        for (var e : running.entrySet()) {
            String value = desired.get(e.getKey());
            if (value != null && value.trim().matches("[0-9]+") && Long.parseLong(value.trim()) < e.getValue()) {
                return true;
            }
        }
        return false;
    }

    /** As above; {@code primaryFirst} (see {@link #lowersHotStandbySetting}): the primary restarts in place first. */
    public static Restart nextRestart(String primary, List<Instance> instances, boolean primaryFirst) {
        Comparator<Instance> highestFirst = Comparator.comparingInt((Instance i) -> ClusterNames.ordinal(i.name())).reversed();
        List<Instance> replicas = instances.stream().filter(i -> !i.name().equals(primary)).sorted(highestFirst).toList();
        var brokenOutdated = replicas.stream().filter(i -> !i.current() && !i.ready()).findFirst();
        if (brokenOutdated.isPresent()) {
            return new Restart(Action.RESTART_REPLICA, brokenOutdated.get().name());
        }
        boolean anyOutdated = instances.stream().anyMatch(i -> !i.current());
        if (!anyOutdated) {
            return new Restart(Action.NONE, null);
        }
        if (replicas.isEmpty()) {
            // a single instance can only restart in place; one that is not ready on the old template serves
            // nothing (e.g. a crash loop the new template fixes), so it restarts at once too
            return new Restart(Action.RESTART_PRIMARY, primary);
        }
        if (instances.stream().anyMatch(i -> !i.ready())) {
            return new Restart(Action.WAIT, null);
        }
        boolean primaryOutdated = instances.stream().anyMatch(i -> i.name().equals(primary) && !i.current());
        if (primaryFirst && primaryOutdated) {
            return new Restart(Action.RESTART_PRIMARY, primary);
        }
        var outdated = replicas.stream().filter(i -> !i.current()).findFirst();
        if (outdated.isPresent()) {
            return new Restart(Action.RESTART_REPLICA, outdated.get().name());
        }
        return replicas.stream().filter(Instance::streaming).min(Comparator.comparingInt(i -> ClusterNames.ordinal(i.name())))
                .map(i -> new Restart(Action.SWITCH_OVER, i.name()))
                .orElse(new Restart(Action.WAIT, null));
    }

    /**
     * Compares the desired parameters with what the server parses from its file. Note that
     * pg_file_settings.applied only says a value <em>could</em> be applied, not that it is in effect, so
     * the reconciler reloads on a content change it has not reloaded yet and reads pending_restart after.
     */
    public static Verdict judge(Map<String, String> desired, ServerState state) {
        Map<String, ServerState.FileSetting> inFile = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (ServerState.FileSetting s : state.fileSettings()) {
            inFile.put(s.name(), s); // later lines win, as in PostgreSQL
            if (s.error() != null && !s.error().equals(NEEDS_RESTART)) {
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
        return new Verdict(Step.FILE_CURRENT, List.of());
    }
}
