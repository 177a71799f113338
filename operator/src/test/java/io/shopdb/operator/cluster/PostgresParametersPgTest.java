package io.shopdb.operator.cluster;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled parameter catalog (pg15-parameters.tsv) agrees with a real PostgreSQL 15 server, and our value
 * checks give the server's verdict: for values of parameters a session may set, PostgresParameters.problems
 * is empty exactly when set_config accepts the value (units, rounding, ranges, enums and booleans included).
 */
@ExtendWith(PostgresExtension.class)
class PostgresParametersPgTest {

    @Test
    void restartClassificationMatchesTheServer(TestPostgres pg) throws Exception {
        List<String> mismatches = new ArrayList<>();
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, context FROM pg_settings WHERE name NOT LIKE '%.%'")) {
            while (rs.next()) {
                boolean serverSays = rs.getString(2).equals("postmaster");
                if (serverSays != PostgresParameters.needsRestart(rs.getString(1))) {
                    mismatches.add(rs.getString(1));
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void everyDefaultTheOperatorWritesIsAcceptedByTheServer(TestPostgres pg) throws Exception {
        List<String> refused = new ArrayList<>();
        var defaults = PostgresParameters.effective(java.util.Map.of(), null);
        try (Connection c = pg.connect(); var ps = c.prepareStatement("SELECT 1 FROM pg_settings WHERE lower(name) = lower(?)")) {
            for (var e : defaults.entrySet()) {
                ps.setString(1, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        refused.add(e.getKey() + " (unknown)");
                    }
                }
            }
        }
        assertEquals(List.of(), refused);
        assertEquals(List.of(), PostgresParameters.problems(defaults).stream()
                .filter(p -> !p.contains("is set by the operator")).toList(), "defaults pass our own validation");
    }

    @Test
    void catalogRowsMatchTheServer(TestPostgres pg) throws Exception {
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, context, vartype, coalesce(array_to_string(enumvals,'|'),''),"
                     + " coalesce(min_val,''), coalesce(max_val,''), coalesce(unit,'') FROM pg_settings WHERE name NOT LIKE '%.%'")) {
            while (rs.next()) {
                rows++;
                var server = new PostgresParameters.Definition(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4).isEmpty() ? List.of() : List.of(rs.getString(4).split("\\|")),
                        rs.getString(5), rs.getString(6), rs.getString(7));
                if (!server.equals(PostgresParameters.definition(rs.getString(1)))) {
                    mismatches.add(server + " vs " + PostgresParameters.definition(rs.getString(1)));
                }
            }
        }
        assertTrue(rows > 300, "read pg_settings");
        assertEquals(List.of(), mismatches);
    }

    @Test
    void valueChecksAgreeWithTheServer(TestPostgres pg) throws Exception {
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("work_mem", List.of("4MB", "4 MB", " 4MB ", "4mb", "64", "63", "1.5kB", "0x100", "017", "1e3",
                "5s", "-1", "lots", "1TB", "3TB", "2GB", "100000000000"));
        values.put("temp_buffers", List.of("1MB", "800kB", "799kB", "100", "99", "0.8MB"));
        values.put("statement_timeout", List.of("5s", "5 s", "0", "-1", "5MB", "1.5min", "2147483647", "2147483648",
                "1d", "25d", "500us", "1.5", "10 minutes"));
        values.put("log_min_duration_statement", List.of("-1", "-2", "250ms", "1h"));
        values.put("random_page_cost", List.of("1.1", "-1", "abc", "1e3", "4MB", ".5"));
        values.put("vacuum_cost_delay", List.of("2.5ms", "100", "101", "0.1s", "1min", "20us"));
        values.put("client_min_messages", List.of("warning", "WARNING", "loud"));
        values.put("enable_seqscan", List.of("on", "of", "o", "t", "TRUE", "2", "yes", "0"));
        values.put("extra_float_digits", List.of("3", "4", "-15", "-16"));
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        try (Connection c = pg.connect(); PreparedStatement set = c.prepareStatement("SELECT set_config(?, ?, false)")) {
            for (var entry : values.entrySet()) {
                for (String value : entry.getValue()) {
                    boolean serverAccepts;
                    try {
                        set.setString(1, entry.getKey());
                        set.setString(2, value);
                        set.executeQuery().close();
                        serverAccepts = true;
                    } catch (SQLException e) {
                        serverAccepts = false;
                    }
                    List<String> ours = PostgresParameters.problems(Map.of(entry.getKey(), value));
                    if (serverAccepts != ours.isEmpty()) {
                        disagreements.add(entry.getKey() + "='" + value + "': server " + (serverAccepts ? "accepts" : "refuses")
                                + ", we say " + ours);
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked > 60);
        assertEquals(List.of(), disagreements);
    }
}
