package io.shopdb.operator.pooler;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgBouncerParametersTest {

    @Test
    void acceptsWhatPgBouncerReads() {
        assertNull(PgBouncerParameters.problem("server_lifetime", "3600"));
        assertNull(PgBouncerParameters.problem("query_wait_timeout", "0.5"));
        assertNull(PgBouncerParameters.problem("server_round_robin", "1"));
        assertNull(PgBouncerParameters.problem("log_connections", "off"));
        assertNull(PgBouncerParameters.problem("reserve_pool_size", "5"));
        assertNull(PgBouncerParameters.problem("ignore_startup_parameters", "search_path, options"));
        assertNull(PgBouncerParameters.problem("server_reset_query", "DISCARD ALL"));
    }

    @Test
    void refusesWithAReasonNamingWhatToDo() {
        assertTrue(PgBouncerParameters.problem("server_lifetime", "1h").contains("seconds"));
        assertTrue(PgBouncerParameters.problem("verbose", "9").contains("outside 0..3"));
        assertTrue(PgBouncerParameters.problem("reserve_pool_size", "many").contains("not an integer"));
        assertTrue(PgBouncerParameters.problem("tcp_keepalive", "maybe").contains("not a boolean"));
        assertEquals("set it with spec.poolMode", PgBouncerParameters.problem("pool_mode", "session"));
        assertTrue(PgBouncerParameters.problem("auth_query", "SELECT 1").contains("the operator sets"));
        assertTrue(PgBouncerParameters.problem("server_tls_sslmode", "disable").contains("the operator sets"));
        assertTrue(PgBouncerParameters.problem("max_prepared_statements", "100").contains("not a PgBouncer 1.18 setting"));
        assertTrue(PgBouncerParameters.problem("server_check_query", "SELECT\n1").contains("one line"));
        var violations = PgBouncerParameters.validate(Map.of("server_lifetime", "x", "nope", "1"));
        assertEquals(2, violations.size());
        assertTrue(violations.stream().allMatch(v -> v.field().startsWith("spec.parameters.")));
    }

    @Test
    void theIniCarriesTheSpecAndAlwaysIgnoresPgjdbcsStartupParameter() {
        PostgresPoolerSpec spec = new PostgresPoolerSpec();
        spec.setPoolMode(PostgresPoolerSpec.PoolMode.session);
        spec.setParameters(new TreeMap<>(Map.of("ignore_startup_parameters", "search_path", "server_lifetime", "600")));
        String ini = PgBouncerConfig.ini(spec, "shop-db-rw.shop.svc", 5432, "SELECT 1",
                new PgBouncerConfig.Credentials("lookup", "a", "admin", "b"));
        assertTrue(ini.contains("* = host=shop-db-rw.shop.svc port=5432\n"), ini);
        assertTrue(ini.contains("pool_mode = session\n"));
        assertTrue(ini.contains("default_pool_size = 20\n"));
        assertTrue(ini.contains("ignore_startup_parameters = extra_float_digits,search_path\n"), ini);
        assertTrue(ini.contains("server_lifetime = 600\n"));
        assertTrue(ini.contains("server_tls_sslmode = verify-ca\n"));
        assertTrue(ini.contains("server_login_retry = 1\n"), "a failover's moment without endpoint is not 15 s of refused clients");
        assertEquals("\"lookup\" \"a\"\n\"admin\" \"b\"\n", PgBouncerConfig.userlist(new PgBouncerConfig.Credentials("lookup", "a", "admin", "b")));
        assertEquals("\"x\"\"y\"", PgBouncerConfig.quote("x\"y"));
    }
}
