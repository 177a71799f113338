package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterNames;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * postgresql.conf of managed instances: the operator's defaults, the parameters it owns, and what a
 * user may set. A bad name or value in the file would stop PostgreSQL from starting, so parameters are
 * checked against the catalog of the server version before they are written (pg15-parameters.tsv,
 * generated from pg_settings).
 */
public final class PostgresParameters {

    /**
     * Set by the operator: in postgresql.conf ({@link #owned}, {@link #forCluster}), on the postgres command line
     * (bootstrap.sh: -D, -p, -k, config_file, hba_file, cluster_name, primary_conninfo, TLS) or for a recovery.
     * A user value would break replication, failover, TLS, archiving or the pod.
     */
    public static final Set<String> OWNED = Set.of(
            // where the server runs and listens, and its configuration files
            "data_directory", "config_file", "hba_file", "port", "listen_addresses", "unix_socket_directories",
            // replication and failover: cluster_name is the instance's name in synchronous_standby_names
            "cluster_name", "primary_conninfo", "primary_slot_name", "hot_standby", "wal_level", "max_wal_senders",
            "synchronous_standby_names",
            // replicas report at least every second: the primary's guard counts a recent reply as a confirmation
            "wal_receiver_status_interval",
            // WAL archiving (spec.walArchive) and point-in-time recovery (bootstrap's recovery options)
            "archive_mode", "archive_command", "archive_timeout", "restore_command", "recovery_target",
            "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn", "recovery_target_name",
            "recovery_target_time", "recovery_target_timeline", "recovery_target_xid",
            // TLS is always on, with the cluster's certificate (tls/ServerTlsSettings)
            "ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_min_protocol_version",
            // pg_stat_statements; a user list would drop it or load any library the image holds
            "shared_preload_libraries");

    private static final String COMMAND = "runs a shell command on the database server";
    private static final String FILE = "names a file or directory on the database server";
    private static final String CODE = "loads a library into the server";
    private static final String UNSAFE = "turns off a safety or privilege check of the server";
    private static final String LOGS = "moves the server log away from the container's output";

    /** postgresql.conf directives, not parameters: each reads another file into the configuration. */
    private static final Set<String> INCLUDE_DIRECTIVES = Set.of("include", "include_dir", "include_if_exists");

    /**
     * Never written from a spec, whatever the spelling: the manifest would gain a power its kind does not promise
     * (a command, a file, code in the server) or switch off the server's own protection. Name -> why.
     */
    public static final Map<String, String> REFUSED = refused();

    private static Map<String, String> refused() {
        Map<String, String> r = new TreeMap<>();
        refuse(r, COMMAND, "archive_cleanup_command", "recovery_end_command", "ssl_passphrase_command");
        refuse(r, FILE, INCLUDE_DIRECTIVES.toArray(String[]::new));
        refuse(r, FILE, "ident_file", "external_pid_file", "unix_socket_group", "unix_socket_permissions", "log_directory",
                "log_filename", "stats_temp_directory", "krb_server_keyfile", "ssl_crl_file", "ssl_crl_dir",
                "ssl_dh_params_file", "promote_trigger_file");
        // extension_control_path and oauth_validator_libraries are PostgreSQL 18's, refused ahead of its catalog
        refuse(r, CODE, "dynamic_library_path", "local_preload_libraries", "session_preload_libraries", "jit_provider",
                "archive_library", "extension_destdir", "extension_control_path", "oauth_validator_libraries");
        // developer options that corrupt data or hide corruption; lo_compat_privileges skips large-object permissions
        refuse(r, UNSAFE, "allow_system_table_mods", "ignore_system_indexes", "zero_damaged_pages", "ignore_checksum_failure",
                "ignore_invalid_pages", "allow_in_place_tablespaces", "lo_compat_privileges");
        // the log goes to stderr (kubectl logs); a collector would write files onto the data volume instead
        refuse(r, LOGS, "logging_collector", "log_destination", "log_file_mode", "event_source");
        return java.util.Collections.unmodifiableMap(r);
    }

    private static void refuse(Map<String, String> refused, String why, String... names) {
        for (String n : names) {
            refused.put(n, why);
        }
    }

    /**
     * A name PostgreSQL reads in postgresql.conf (guc-file.l: ID or ID.ID, ASCII letters, digits and _) and accepts
     * in SET. {@code $} (valid in SET) is left out: the file's grammar has none, and the server would not start.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final int NAME_MAX = 63;

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
        // a replica whose primary hangs (alive, sending nothing) gives up on it after 5 s and follows -rw to the new
        // primary; the 60 s default kept synchronous commits on a promoted primary waiting that long
        d.put("wal_receiver_timeout", "5s");
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
        o.put("wal_receiver_status_interval", "1s");
        return o;
    }

    /**
     * The effective file content: defaults, then the user's parameters, then the owned ones. Names are lower-cased
     * as PostgreSQL reads them, so a user's Shared_Buffers replaces the default shared_buffers instead of adding a
     * second line.
     */
    public static Map<String, String> effective(Map<String, String> user, ResourceRequirements resources) {
        Map<String, String> all = new LinkedHashMap<>(defaults(resources));
        new TreeMap<>(user == null ? Map.<String, String>of() : user).forEach((k, v) -> all.put(normalized(k), v));
        all.putAll(owned());
        return all;
    }

    /** A parameter name as PostgreSQL compares it: case-insensitive (guc.c uses pg_strcasecmp). */
    public static String normalized(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The extensions the operator loads: only their prefix.name options may be set. */
    public static Set<String> loadedExtensions() {
        Set<String> loaded = new TreeSet<>();
        for (String lib : defaults(null).get("shared_preload_libraries").split(",")) {
            loaded.add(normalized(lib.strip()));
        }
        return loaded;
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
        if (decodesLogically(c)) {
            all.put("wal_level", "logical");
        }
        return all;
    }

    /**
     * wal_level logical (a restart) while a PostgresMajorUpgrade copies the cluster by logical replication, and after,
     * so the decision needs no second restart. Read from the status the cluster's reconciler records (one reconcile
     * late: the upgrade waits for it); a cluster no upgrade names keeps replica and restarts for nothing.
     */
    static boolean decodesLogically(io.shopdb.operator.api.v1alpha1.PostgresCluster c) {
        var status = c.getStatus();
        return status != null && (status.getUpgradingTo() != null || status.getUpgradedTo() != null);
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
        Map<String, List<String>> spellings = new TreeMap<>();
        new TreeMap<>(user).forEach((name, value) -> {
            String problem = problem(name, value);
            if (problem != null) {
                problems.add("spec.parameters." + printable(name) + ": " + problem);
            } else {
                spellings.computeIfAbsent(normalized(name), k -> new ArrayList<>()).add(name);
            }
        });
        // PostgreSQL reads Work_Mem and work_mem as one parameter: the file would hold two values for it
        spellings.values().stream().filter(names -> names.size() > 1).forEach(names -> problems.add(
                String.join(" and ", names.stream().map(n -> "spec.parameters." + n).toList()) + " name the same parameter"));
        return problems;
    }

    /** What is wrong with one user parameter, or null. */
    private static String problem(String name, String value) {
        if (!validName(name)) {
            return "not a valid parameter name";
        }
        String key = normalized(name);
        if (OWNED.contains(key)) {
            return "is set by the operator and cannot be overridden; remove it";
        }
        if (REFUSED.containsKey(key)) {
            return REFUSED.get(key) + "; it cannot be set from a manifest";
        }
        if (!singleLine(value)) {
            return "value must be a single line";
        }
        if (key.contains(".")) {
            // an extension's parameter (e.g. pg_stat_statements.max): the extension validates the value
            return loadedExtensions().contains(key.substring(0, key.indexOf('.'))) ? null
                    : "custom parameters are allowed only for loaded extensions (" + String.join(", ", loadedExtensions()) + ")";
        }
        Definition def = definition(key);
        if (def == null) {
            return "unknown PostgreSQL parameter";
        }
        if (def.context().equals("internal")) {
            return "is read-only in PostgreSQL (set when the server is built or initialized)";
        }
        return valueProblem(def, value);
    }

    static boolean validName(String name) {
        return name != null && name.length() <= NAME_MAX && NAME.matcher(name).matches();
    }

    /** The GUC file parser reads a quoted value up to the end of the line; a NUL would end it early. */
    private static boolean singleLine(String value) {
        return value != null && value.indexOf('\n') < 0 && value.indexOf('\r') < 0 && value.indexOf('\0') < 0;
    }

    /** A name for a message: control characters shown escaped, so a bad name cannot break the message's line. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        name.chars().forEach(ch -> {
            if (ch == '\n') {
                sb.append("\\n");
            } else if (ch < 0x20 || ch == 0x7f) {
                sb.append(String.format("\\x%02x", ch));
            } else {
                sb.append((char) ch);
            }
        });
        return sb.toString();
    }

    /** The catalog row of a parameter (case-insensitive, as PostgreSQL), or null when there is none. */
    static Definition definition(String name) {
        return CATALOG.get(normalized(name));
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

    /**
     * Renders postgresql.conf: names lower-cased, every value a quoted string (PostgreSQL accepts that for all types;
     * guc-file.l reads '' as a quote and backslash escapes, so both are doubled). Only validated parameters reach
     * this; a name outside the grammar, an include directive or a value that would end the line is refused here
     * anyway, so nothing from a spec can add a line to the file.
     */
    public static String render(Map<String, String> effective) {
        StringBuilder sb = new StringBuilder("# Written by shopdb-operator from the PostgresCluster; edits here are overwritten.\n");
        effective.forEach((k, v) -> {
            if (!validName(k) || INCLUDE_DIRECTIVES.contains(normalized(k))) {
                throw new IllegalArgumentException("not a valid parameter name: " + printable(k));
            }
            if (!singleLine(v)) {
                throw new IllegalArgumentException("value of " + k + " must be a single line");
            }
            sb.append(normalized(k)).append(" = '").append(v.replace("\\", "\\\\").replace("'", "''")).append("'\n");
        });
        return sb.toString();
    }

    private static String valueProblem(Definition def, String value) {
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
