package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * postgresql.conf of managed instances: the operator's defaults, the parameters it owns, and what a
 * user may set. A bad name or value in the file would stop PostgreSQL from starting, so parameters are
 * checked against the catalog of the server version before they are written (pg15-parameters.tsv,
 * generated from pg_settings).
 */
public final class PostgresParameters {

    /** Set by the operator (or on the postgres command line); a user value would break replication or the pod. */
    public static final Set<String> OWNED = Set.of("port", "listen_addresses", "data_directory", "config_file",
            "hba_file", "ident_file", "unix_socket_directories", "primary_conninfo", "primary_slot_name",
            "restore_command", "recovery_target", "hot_standby", "wal_level", "max_wal_senders", "archive_mode",
            "archive_command", "archive_timeout", "ssl", "external_pid_file", "synchronous_standby_names", "cluster_name");

    private static final Map<String, Definition> CATALOG = load();

    /** One row of pg_settings: min, max and unit are empty where PostgreSQL has none. */
    record Definition(String name, String context, String type, List<String> enumValues, String min, String max, String unit) {}

    private PostgresParameters() {}

    /**
     * Defaults for an OLTP (shop) workload on a small instance; memory settings follow the memory limit
     * when one is set (shared_buffers 25%, effective_cache_size 75%), as the PostgreSQL docs advise.
     */
    public static Map<String, String> defaults(ResourceRequirements resources) {
        long memoryMb = memoryLimitMb(resources);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("max_connections", "200");
        d.put("shared_buffers", memoryMb > 0 ? Math.max(32, memoryMb / 4) + "MB" : "128MB");
        d.put("effective_cache_size", memoryMb > 0 ? Math.max(64, memoryMb * 3 / 4) + "MB" : "512MB");
        d.put("work_mem", "8MB");
        d.put("maintenance_work_mem", "64MB");
        d.put("max_replication_slots", "10");
        d.put("wal_keep_size", "512MB");
        // a replica whose primary vanished retries streaming (through -rw, to the promoted one) after 1 s, not 5 s
        d.put("wal_retrieve_retry_interval", "1s");
        d.put("max_wal_size", "1GB");
        d.put("min_wal_size", "80MB");
        d.put("checkpoint_completion_target", "0.9");
        d.put("random_page_cost", "1.1");
        d.put("effective_io_concurrency", "200");
        d.put("password_encryption", "scram-sha-256");
        d.put("shared_preload_libraries", "pg_stat_statements");
        d.put("idle_in_transaction_session_timeout", "10min");
        d.put("log_min_duration_statement", "1s");
        d.put("log_checkpoints", "on");
        d.put("log_lock_waits", "on");
        d.put("log_temp_files", "10MB");
        d.put("timezone", "UTC");
        d.put("log_timezone", "UTC");
        return d;
    }

    /** Lines the operator always writes, after the user's, so they win. */
    public static Map<String, String> owned() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("listen_addresses", "*");
        o.put("wal_level", "replica");
        o.put("max_wal_senders", "10");
        o.put("hot_standby", "on");
        return o;
    }

    /** The effective file content: defaults, then the user's parameters, then the owned ones. */
    public static Map<String, String> effective(Map<String, String> user, ResourceRequirements resources) {
        Map<String, String> all = new LinkedHashMap<>(defaults(resources));
        new TreeMap<>(user == null ? Map.<String, String>of() : user).forEach(all::put);
        all.putAll(owned());
        return all;
    }

    /**
     * The file content of a managed cluster: {@link #effective} plus the synchronous standby list when
     * spec.synchronous is set. Standby names are the instances' cluster_name (their pod names, set by
     * bootstrap.sh), all of them: the primary ignores its own name, so the list survives a failover.
     */
    public static Map<String, String> forCluster(io.shopdb.operator.api.v1alpha1.PostgresCluster c) {
        var spec = c.getSpec();
        Map<String, String> all = effective(spec.getParameters(), spec.getResources());
        if (spec.getSynchronous() != null && spec.getInstances() != null && spec.getInstances() > 1) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < spec.getInstances(); i++) {
                names.add("\"" + ClusterNames.pod(c, i) + "\"");
            }
            int n = spec.getSynchronous().getNumber() == null ? 1 : spec.getSynchronous().getNumber();
            all.put("synchronous_standby_names", "ANY " + n + " (" + String.join(", ", names) + ")");
        }
        all.putAll(archiving(spec.getWalArchive()));
        return all;
    }

    /**
     * spec.walArchive: archive_mode on (a restart), archive_command the handoff to the wal-archiver sidecar
     * (ClusterObjects.ARCHIVE_SCRIPT in the mounted configuration; the variable is the pod's, expanded by the shell that
     * runs the command), archive_timeout. Without it archive_mode stays off: nothing is kept waiting for an archiver.
     */
    static Map<String, String> archiving(io.shopdb.operator.api.v1alpha1.WalArchiveSpec wal) {
        Map<String, String> o = new LinkedHashMap<>();
        if (wal == null) {
            return o;
        }
        o.put("archive_mode", "on");
        o.put("archive_command", "sh \"$SHOPDB_CONFIG_DIR/" + ClusterObjects.ARCHIVE_SCRIPT + "\" \"%p\" \"%f\"");
        o.put("archive_timeout", (wal.getArchiveTimeout() == null ? 60 : wal.getArchiveTimeout()) + "s");
        return o;
    }

    /** Problems with user parameters, each naming the field, e.g. "spec.parameters.port: ...". */
    public static List<String> problems(Map<String, String> user) {
        List<String> problems = new ArrayList<>();
        if (user == null) {
            return problems;
        }
        new TreeMap<>(user).forEach((name, value) -> {
            String field = "spec.parameters." + name;
            if (OWNED.contains(name)) {
                problems.add(field + ": is set by the operator and cannot be overridden; remove it");
                return;
            }
            if (name.contains(".")) {
                return; // an extension's parameter (e.g. pg_stat_statements.max): the extension validates it
            }
            Definition def = definition(name);
            if (def == null) {
                problems.add(field + ": unknown PostgreSQL parameter");
                return;
            }
            if (def.context().equals("internal")) {
                problems.add(field + ": is read-only in PostgreSQL (set when the server is built or initialized)");
                return;
            }
            String valueProblem = valueProblem(def, value);
            if (valueProblem != null) {
                problems.add(field + ": " + valueProblem);
            }
        });
        return problems;
    }

    /** The catalog row of a parameter (case-insensitive, as PostgreSQL), or null when there is none. */
    static Definition definition(String name) {
        return CATALOG.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** True when changing the parameter only takes effect after a restart (context postmaster). */
    public static boolean needsRestart(String name) {
        Definition def = definition(name);
        return def != null && def.context().equals("postmaster");
    }

    /** The parameters (and values) whose change needs a restart: their hash on the pod template rolls the pods. */
    public static Map<String, String> restartParameters(Map<String, String> effective) {
        Map<String, String> restart = new TreeMap<>();
        effective.forEach((k, v) -> {
            if (needsRestart(k)) {
                restart.put(k, v);
            }
        });
        return restart;
    }

    /** Renders postgresql.conf, quoting every value as a string literal (PostgreSQL accepts that for all types). */
    public static String render(Map<String, String> effective) {
        StringBuilder sb = new StringBuilder("# Written by shopdb-operator from the PostgresCluster; edits here are overwritten.\n");
        effective.forEach((k, v) -> sb.append(k).append(" = '").append(v.replace("\\", "\\\\").replace("'", "''")).append("'\n"));
        return sb.toString();
    }

    private static String valueProblem(Definition def, String value) {
        if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            return "value must be a single line";
        }
        switch (def.type()) {
            case "bool":
                if (!isBool(value)) {
                    return "must be on or off";
                }
                break;
            case "enum":
                if (def.enumValues().stream().noneMatch(value::equalsIgnoreCase)) {
                    return "must be one of " + String.join(", ", def.enumValues());
                }
                break;
            case "integer":
                return ParameterValues.integerProblem(value, def.unit(), def.min(), def.max());
            case "real":
                return ParameterValues.realProblem(value, def.unit(), def.min(), def.max());
            default:
                break;
        }
        return null;
    }

    /** PostgreSQL's parse_bool: true, false, yes, no, on, off, 1, 0, any case, or a unique prefix of them. */
    private static boolean isBool(String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        if (v.isEmpty()) {
            return false;
        }
        if (v.equals("1") || v.equals("0") || (v.length() >= 2 && ("on".startsWith(v) || "off".startsWith(v)))) {
            return true;
        }
        return "true".startsWith(v) || "false".startsWith(v) || "yes".startsWith(v) || "no".startsWith(v);
    }

    private static long memoryLimitMb(ResourceRequirements resources) {
        if (resources == null || resources.getLimits() == null || resources.getLimits().get("memory") == null) {
            return 0;
        }
        BigDecimal bytes = Quantity.getAmountInBytes(resources.getLimits().get("memory"));
        return bytes.divide(BigDecimal.valueOf(1024L * 1024L), java.math.RoundingMode.DOWN).longValue();
    }

    private static Map<String, Definition> load() {
        Map<String, Definition> map = new TreeMap<>();
        try (var in = PostgresParameters.class.getResourceAsStream("pg15-parameters.tsv");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                List<String> enums = f[3].isEmpty() ? List.of() : List.of(f[3].split("\\|"));
                map.put(f[0].toLowerCase(java.util.Locale.ROOT), new Definition(f[0], f[1], f[2], enums, f[4], f[5], f[6]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
