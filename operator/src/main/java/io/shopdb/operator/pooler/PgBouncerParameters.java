package io.shopdb.operator.pooler;

import io.shopdb.operator.status.SpecValidator.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The [pgbouncer] settings a PostgresPooler may set, with the value type PgBouncer 1.18 reads for each (its
 * config table in main.c: CF_INT, CF_TIME_USEC/CF_TIME_DOUBLE in seconds, CF_BOOL, CF_LOOKUP, CF_STR). PgBouncer
 * refuses an unknown key or a bad value with a FATAL at start, so a pod that never becomes ready; here they are
 * refused before any rollout, naming the parameter. Parameters the operator writes (listening, auth, TLS to the
 * server, pool sizes with their own fields) are not in the table.
 */
final class PgBouncerParameters {
    enum Type { INT, SECONDS, BOOL, TEXT, STARTUP_PARAMETERS }

    record Rule(Type type, long min, long max) {}

    private static final long NO_MAX = Integer.MAX_VALUE;
    static final Map<String, Rule> ALLOWED = new TreeMap<>(Map.ofEntries(
            Map.entry("min_pool_size", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("reserve_pool_size", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("reserve_pool_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("max_user_connections", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("server_round_robin", new Rule(Type.BOOL, 0, 0)),
            Map.entry("ignore_startup_parameters", new Rule(Type.STARTUP_PARAMETERS, 0, 0)),
            Map.entry("disable_pqexec", new Rule(Type.BOOL, 0, 0)),
            Map.entry("application_name_add_host", new Rule(Type.BOOL, 0, 0)),
            Map.entry("stats_period", new Rule(Type.INT, 1, NO_MAX)),
            Map.entry("log_connections", new Rule(Type.BOOL, 0, 0)),
            Map.entry("log_disconnections", new Rule(Type.BOOL, 0, 0)),
            Map.entry("log_pooler_errors", new Rule(Type.BOOL, 0, 0)),
            Map.entry("log_stats", new Rule(Type.BOOL, 0, 0)),
            Map.entry("verbose", new Rule(Type.INT, 0, 3)),
            Map.entry("server_reset_query", new Rule(Type.TEXT, 0, 0)),
            Map.entry("server_reset_query_always", new Rule(Type.BOOL, 0, 0)),
            Map.entry("server_check_delay", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("server_check_query", new Rule(Type.TEXT, 0, 0)),
            Map.entry("server_fast_close", new Rule(Type.BOOL, 0, 0)),
            Map.entry("server_lifetime", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("server_idle_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("server_connect_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("server_login_retry", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("client_login_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("autodb_idle_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("dns_max_ttl", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("dns_nxdomain_ttl", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("dns_zone_check_period", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("query_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("query_wait_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("client_idle_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("idle_transaction_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("suspend_timeout", new Rule(Type.SECONDS, 0, 0)),
            Map.entry("pkt_buf", new Rule(Type.INT, 512, NO_MAX)),
            Map.entry("max_packet_size", new Rule(Type.INT, 1024, NO_MAX)),
            Map.entry("listen_backlog", new Rule(Type.INT, 1, NO_MAX)),
            Map.entry("sbuf_loopcnt", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("so_reuseport", new Rule(Type.BOOL, 0, 0)),
            Map.entry("tcp_defer_accept", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("tcp_socket_buffer", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("tcp_keepalive", new Rule(Type.BOOL, 0, 0)),
            Map.entry("tcp_keepcnt", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("tcp_keepidle", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("tcp_keepintvl", new Rule(Type.INT, 0, NO_MAX)),
            Map.entry("tcp_user_timeout", new Rule(Type.INT, 0, NO_MAX))));

    /** Set by the operator, or through a field of their own: named in the refusal. */
    static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry("pool_mode", "spec.poolMode"), Map.entry("default_pool_size", "spec.defaultPoolSize"),
            Map.entry("max_client_conn", "spec.maxClientConnections"), Map.entry("max_db_connections", "spec.maxDbConnections"));
    static final Set<String> OPERATOR = Set.of("listen_addr", "listen_port", "unix_socket_dir", "unix_socket_mode", "unix_socket_group",
            "auth_type", "auth_file", "auth_user", "auth_query", "auth_hba_file", "admin_users", "stats_users", "logfile", "pidfile",
            "user", "syslog", "syslog_ident", "syslog_facility", "peer_id", "resolv_conf");

    /** What startup parameters clients may send that PgBouncer must not refuse: pgjdbc sends extra_float_digits. */
    static final String ALWAYS_IGNORED_STARTUP = "extra_float_digits";

    private static final Pattern INT = Pattern.compile("^-?[0-9]{1,10}$");
    private static final Pattern SECONDS = Pattern.compile("^[0-9]{1,9}(\\.[0-9]{1,6})?$");
    private static final Pattern BOOL = Pattern.compile("^(0|1|yes|no|on|off|true|false)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern STARTUP_LIST = Pattern.compile("^[a-z_]+(\\s*,\\s*[a-z_]+)*$");

    private PgBouncerParameters() {}

    static List<Violation> validate(Map<String, String> parameters) {
        List<Violation> out = new ArrayList<>();
        if (parameters == null) {
            return out;
        }
        parameters.forEach((name, value) -> {
            String problem = problem(name, value == null ? "" : value);
            if (problem != null) {
                out.add(new Violation("spec.parameters." + name, problem));
            }
        });
        return out;
    }

    /** What is wrong with one setting, or null when PgBouncer 1.18 accepts it. */
    static String problem(String name, String value) {
        if (OWNED.containsKey(name)) {
            return "set it with " + OWNED.get(name);
        }
        if (OPERATOR.contains(name) || name.startsWith("server_tls_") || name.startsWith("client_tls_")) {
            return "the operator sets " + name + "; remove it";
        }
        Rule rule = ALLOWED.get(name);
        if (rule == null) {
            return "not a PgBouncer 1.18 setting a pooler may set (allowed: " + String.join(", ", ALLOWED.keySet()) + ")";
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "must be one line without control characters";
        }
        return switch (rule.type()) {
            case INT -> !INT.matcher(value).matches() ? "\"" + value + "\" is not an integer"
                    : Long.parseLong(value) < rule.min() || Long.parseLong(value) > rule.max()
                    ? value + " is outside " + rule.min() + ".." + rule.max() : null;
            case SECONDS -> SECONDS.matcher(value).matches() ? null
                    : "\"" + value + "\" is not a number of seconds (PgBouncer reads times as seconds, e.g. 3600 or 0.5; no units)";
            case BOOL -> BOOL.matcher(value).matches() ? null : "\"" + value + "\" is not a boolean (0/1, yes/no, on/off, true/false)";
            case TEXT -> value.contains("\"") && value.contains("'") ? "\"" + value + "\" mixes quote characters" : null;
            case STARTUP_PARAMETERS -> STARTUP_LIST.matcher(value).matches() ? null
                    : "\"" + value + "\" is not a comma-separated list of startup parameter names";
        };
    }
}
