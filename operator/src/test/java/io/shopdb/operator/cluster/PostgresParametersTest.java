package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
                "spec.parameters.work_mem: \"lots\" is not a number (a number, optionally with a unit; the default unit is kB)"), problems);
    }

    @Test
    void acceptsValidValuesAndExtensionParameters() {
        assertEquals(List.of(), PostgresParameters.problems(Map.of(
                "work_mem", "16MB", "max_connections", "300", "log_min_duration_statement", "250ms",
                "autovacuum", "on", "wal_compression", "LZ4", "pg_stat_statements.max", "10000",
                "search_path", "\"$user\", public")));
    }

    @Test
    void valuesOutsideTheCatalogRangeAreRefusedNamingTheFieldAndTheRange() {
        assertEquals(List.of("spec.parameters.max_connections: -1 is outside the valid range 1 .. 262143"),
                PostgresParameters.problems(Map.of("max_connections", "-1")));
        assertEquals(List.of("spec.parameters.shared_buffers: 64kB is outside the valid range 128kB .. 8589934584kB"),
                PostgresParameters.problems(Map.of("shared_buffers", "64kB")));
        assertEquals(List.of("spec.parameters.work_mem: 32kB is outside the valid range 64kB .. 2147483647kB"),
                PostgresParameters.problems(Map.of("work_mem", "32kB")));
        assertEquals(List.of("spec.parameters.checkpoint_completion_target: 1.5 is outside the valid range 0 .. 1"),
                PostgresParameters.problems(Map.of("checkpoint_completion_target", "1.5")));
        assertEquals(List.of("spec.parameters.statement_timeout: -5s is outside the valid range 0ms .. 2147483647ms"),
                PostgresParameters.problems(Map.of("statement_timeout", "-5s")));
        assertEquals(List.of("spec.parameters.max_connections: 3000000000 exceeds the integer range of this parameter"),
                PostgresParameters.problems(Map.of("max_connections", "3000000000")));
    }

    @Test
    void unitsAreReadAsPostgresqlReadsThem() {
        // a number alone is in the base unit: shared_buffers counts 8kB blocks, so 16 is the 128kB minimum
        assertEquals(List.of(), PostgresParameters.problems(Map.of("shared_buffers", "16", "work_mem", "64",
                "statement_timeout", "5000", "log_min_duration_statement", "-1")));
        assertEquals(List.of("spec.parameters.shared_buffers: 15 is outside the valid range 128kB .. 8589934584kB"),
                PostgresParameters.problems(Map.of("shared_buffers", "15")));
        assertEquals(List.of(), PostgresParameters.problems(Map.of("shared_buffers", "128MB", "work_mem", "4MB",
                "statement_timeout", "5s", "idle_in_transaction_session_timeout", "10 min", "maintenance_work_mem", "1.5GB",
                "max_connections", "0x64", "autovacuum_vacuum_cost_delay", "2.5ms", "wal_keep_size", "1TB")));
        // units are case-sensitive and of the parameter's kind
        assertEquals(List.of("spec.parameters.statement_timeout: invalid value \"5MB\": valid units for this parameter are us, ms, s, min, h and d",
                        "spec.parameters.work_mem: invalid value \"4mb\": valid units for this parameter are B, kB, MB, GB and TB"),
                PostgresParameters.problems(Map.of("work_mem", "4mb", "statement_timeout", "5MB")));
        assertEquals(List.of("spec.parameters.max_connections: \"100MB\" is not a number (this parameter takes no unit)"),
                PostgresParameters.problems(Map.of("max_connections", "100MB")));
        // 1.5kB of work_mem is 1536 bytes, rounded to 2kB: below the 64kB minimum
        assertEquals(1, PostgresParameters.problems(Map.of("work_mem", "1.5kB")).size());
    }

    @Test
    void booleansAcceptWhatPostgresqlAccepts() {
        assertEquals(List.of(), PostgresParameters.problems(Map.of("autovacuum", "ON", "log_checkpoints", "of",
                "log_lock_waits", "t", "jit", "yes", "fsync", "1")));
        assertEquals(List.of("spec.parameters.autovacuum: must be on or off"), PostgresParameters.problems(Map.of("autovacuum", "o")));
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
    void namesAreComparedAsPostgresqlComparesThem() {
        assertEquals(List.of("spec.parameters.ARCHIVE_MODE: is set by the operator and cannot be overridden; remove it",
                        "spec.parameters.Archive_Command: is set by the operator and cannot be overridden; remove it"),
                PostgresParameters.problems(Map.of("Archive_Command", "touch /tmp/x", "ARCHIVE_MODE", "on")));
        assertEquals(List.of("spec.parameters.Work_Mem and spec.parameters.work_mem name the same parameter"),
                PostgresParameters.problems(Map.of("Work_Mem", "16MB", "work_mem", "32MB")));
        assertEquals(List.of(), PostgresParameters.problems(Map.of("Work_Mem", "16MB", "DateStyle", "ISO, MDY")));
    }

    @Test
    void parametersThatRunACommandNameAFileOrLoadCodeAreRefusedInAnySpelling() {
        assertEquals(List.of("spec.parameters.ssl_passphrase_command: runs a shell command on the database server; it cannot be set from a manifest"),
                PostgresParameters.problems(Map.of("ssl_passphrase_command", "cat /etc/key")));
        assertEquals(List.of("spec.parameters.Session_Preload_Libraries: loads a library into the server; it cannot be set from a manifest"),
                PostgresParameters.problems(Map.of("Session_Preload_Libraries", "evil")));
        assertEquals(List.of("spec.parameters.include_dir: names a file or directory on the database server; it cannot be set from a manifest"),
                PostgresParameters.problems(Map.of("include_dir", "/tmp")));
        List<String> names = new ArrayList<>(PostgresParameters.OWNED);
        names.addAll(PostgresParameters.REFUSED.keySet());
        for (String name : names) {
            for (String spelling : List.of(name, name.toUpperCase(Locale.ROOT))) {
                assertEquals(1, PostgresParameters.problems(Map.of(spelling, "x")).size(), spelling);
            }
        }
    }

    @Test
    void theOwnedAndRefusedListsAreLowerCaseAndDisjoint() {
        for (String name : PostgresParameters.OWNED) {
            assertEquals(name.toLowerCase(Locale.ROOT), name);
            assertFalse(PostgresParameters.REFUSED.containsKey(name), name + " is in both lists");
        }
        PostgresParameters.REFUSED.keySet().forEach(name -> assertEquals(name.toLowerCase(Locale.ROOT), name));
    }

    /** A parameter of a new catalog that names a command, file, directory or library must be classified, not allowed by default. */
    @Test
    void everyCatalogParameterNamingACommandFileOrLibraryIsOwnedOrRefused() throws Exception {
        var tsv = Files.readAllLines(Paths.get("operator/src/main/resources/io/shopdb/operator/cluster/pg15-parameters.tsv"));
        Pattern suspicious = Pattern.compile(".*(_command|_file|_keyfile|_dir|_directory|_directories|_library|_libraries|_path|_provider)$");
        List<String> unclassified = new ArrayList<>();
        for (String line : tsv) {
            String[] row = line.split("\t");
            String name = row[0].toLowerCase(Locale.ROOT);
            boolean readOnly = row.length > 1 && row[1].equals("internal"); // ssl_library: refused as read-only anyway
            if (!line.startsWith("#") && !readOnly && suspicious.matcher(name).matches() && !name.equals("search_path") // schemas
                    && !PostgresParameters.OWNED.contains(name) && !PostgresParameters.REFUSED.containsKey(name)) {
                unclassified.add(name);
            }
        }
        assertEquals(List.of(), unclassified);
    }

    @Test
    void namesOutsidePostgresqlsGrammarAreRefused() {
        for (String name : List.of("work_mem\nshared_preload_libraries", "work mem", "work_mem=1", "work_mem#", "'work_mem'",
                "1work_mem", "a.b.c", ".work_mem", "work_mem.", "work$mem", "", "x".repeat(64), "wörk_mem")) {
            String shown = name.replace("\n", "\\n");
            assertEquals(List.of("spec.parameters." + shown + ": not a valid parameter name"),
                    PostgresParameters.problems(Map.of(name, "1")), shown);
        }
    }

    @Test
    void customParametersOnlyForLoadedExtensions() {
        assertEquals(Set.of("pg_stat_statements"), PostgresParameters.loadedExtensions());
        assertEquals(List.of("spec.parameters.foo.bar: custom parameters are allowed only for loaded extensions (pg_stat_statements)"),
                PostgresParameters.problems(Map.of("foo.bar", "1")));
        assertEquals(List.of(), PostgresParameters.problems(Map.of("pg_stat_statements.max", "10000", "PG_Stat_Statements.track", "all")));
        assertEquals(List.of("spec.parameters.pg_stat_statements.max: value must be a single line"),
                PostgresParameters.problems(Map.of("pg_stat_statements.max", "1\narchive_command = 'x'")));
    }

    @Test
    void userSpellingsReplaceTheDefaultLine() {
        var effective = PostgresParameters.effective(Map.of("Shared_Buffers", "1GB"), null);
        assertEquals("1GB", effective.get("shared_buffers"));
        assertFalse(effective.containsKey("Shared_Buffers"));
    }

    @Test
    void renderWritesLowerCaseNamesAndPostgresqlQuoting() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("Search_Path", "it's");
        in.put("log_line_prefix", "C:\\dir\\");
        assertEquals("# Written by shopdb-operator from the PostgresCluster; edits here are overwritten.\n"
                + "search_path = 'it''s'\n"
                + "log_line_prefix = 'C:\\\\dir\\\\'\n", PostgresParameters.render(in));
        for (var bad : List.of(Map.of("work_mem\nx", "1"), Map.of("include", "/etc/passwd"), Map.of("work_mem", "1\r"),
                Map.of("work_mem", "1\0"))) {
            assertThrows(IllegalArgumentException.class, () -> PostgresParameters.render(bad), bad.toString());
        }
    }

    @Test
    void theCrdCelRulesListExactlyTheOwnedAndRefusedParameters() throws Exception {
        String crd = Files.readString(Paths.get("crds/postgresclusters.shopdb.io-v1.yml")).replace("\\\n", "").replaceAll("\n\\s+", " ");
        Matcher m = Pattern.compile("self.all\\(k, !\\(k.lowerAscii\\(\\) in \\[([^\\]]+)\\]").matcher(crd);
        assertTrue(m.find(), "the CEL rule on owned parameters is in the CRD");
        assertEquals(new TreeSet<>(PostgresParameters.OWNED), names(m.group(1)));
        assertTrue(m.find(), "the CEL rule on refused parameters is in the CRD");
        assertEquals(new TreeSet<>(PostgresParameters.REFUSED.keySet()), names(m.group(1)));
    }

    private static TreeSet<String> names(String celList) {
        var names = new TreeSet<String>();
        for (String part : celList.split(",")) {
            names.add(part.trim().replace("'", "").replace("\\ ", "").trim());
        }
        return names;
    }
}
