package io.shopdb.operator.cluster;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bundled parameter catalog (pg15-parameters.tsv) agrees with a real PostgreSQL 15 server. */
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
}
