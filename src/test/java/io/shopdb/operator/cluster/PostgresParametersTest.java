package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresParametersTest {

    @Test
    void refusesOwnedUnknownReadOnlyAndMalformedParametersNamingTheField() {
        var problems = PostgresParameters.problems(Map.of(
                "port", "6000",
                "shared_bufers", "1GB",
                "block_size", "16384",
                "wal_compression", "sometimes",
                "work_mem", "lots",
                "autovacuum", "maybe"));
        assertEquals(List.of(
                "spec.parameters.autovacuum: must be on or off",
                "spec.parameters.block_size: is read-only in PostgreSQL (set when the server is built or initialized)",
                "spec.parameters.port: is set by the operator and cannot be overridden; remove it",
                "spec.parameters.shared_bufers: unknown PostgreSQL parameter",
                "spec.parameters.wal_compression: must be one of pglz, lz4, zstd, on, off",
                "spec.parameters.work_mem: must be a number, optionally with a unit such as MB or ms"), problems);
    }

    @Test
    void acceptsValidValuesAndExtensionParameters() {
        assertEquals(List.of(), PostgresParameters.problems(Map.of(
                "work_mem", "16MB", "max_connections", "300", "log_min_duration_statement", "250ms",
                "autovacuum", "on", "wal_compression", "LZ4", "pg_stat_statements.max", "10000",
                "search_path", "\"$user\", public")));
    }

    @Test
    void restartNeedsAreTakenFromTheServerCatalog() {
        assertTrue(PostgresParameters.needsRestart("shared_buffers"));
        assertTrue(PostgresParameters.needsRestart("max_connections"));
        assertFalse(PostgresParameters.needsRestart("work_mem"));
        assertFalse(PostgresParameters.needsRestart("log_min_duration_statement"));
    }

    @Test
    void memoryDefaultsFollowTheLimitAndUserValuesWinOverDefaultsButNotOverOwnedOnes() {
        var resources = new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("2Gi")).build();
        var effective = PostgresParameters.effective(Map.of("work_mem", "32MB"), resources);
        assertEquals("512MB", effective.get("shared_buffers"));
        assertEquals("1536MB", effective.get("effective_cache_size"));
        assertEquals("32MB", effective.get("work_mem"));
        assertEquals("replica", effective.get("wal_level"));
        assertEquals("128MB", PostgresParameters.effective(Map.of(), null).get("shared_buffers"));
    }

    @Test
    void renderQuotesValuesSoNoValueCanAddALine() {
        String conf = PostgresParameters.render(Map.of("search_path", "a', b"));
        assertTrue(conf.contains("search_path = 'a'', b'\n"), conf);
    }

    @Test
    void theCrdCelRuleListsExactlyTheOwnedParameters() throws Exception {
        String crd = Files.readString(Paths.get("crds/postgresclusters.shopdb.io-v1.yml")).replace("\\\n", "").replaceAll("\n\\s+", " ");
        Matcher m = Pattern.compile("self.all\\(k, !\\(k in \\[([^\\]]+)\\]").matcher(crd);
        assertTrue(m.find(), "the CEL rule on spec.parameters is in the CRD");
        var inCel = new TreeSet<String>();
        for (String part : m.group(1).split(",")) {
            inCel.add(part.trim().replace("'", "").replace("\\ ", "").trim());
        }
        assertEquals(new TreeSet<>(PostgresParameters.OWNED), inCel);
    }
}
