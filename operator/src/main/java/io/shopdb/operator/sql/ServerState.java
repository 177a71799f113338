package io.shopdb.operator.sql;

import java.util.List;

/** What the operator reads from a server in one visit: its version, replicas and config-file state. */
public record ServerState(String version, boolean inRecovery, List<Replica> replicas, List<FileSetting> fileSettings,
                          List<String> pendingRestart) {

    /** A streaming replica as pg_stat_replication shows it on the primary. */
    public record Replica(String name, String state, long lagBytes) {}

    /** A line of a configuration file as pg_file_settings shows it after the last reload. */
    public record FileSetting(String name, String setting, boolean applied, String error) {}
}
