package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore drill's checks against a real server: a throwaway read-only login role, data-free verdicts. */
@ExtendWith(PostgresExtension.class)
class DrillChecksPgTest {
    private static final String SECRET = "secret-row-value-7f3a";

    @Test
    void checksRunAsAReadOnlyNonSuperuserAndReportNoRowData(TestPostgres pg) throws Exception {
        String db = SqlTestNames.unique("drill_scratch");
        pg.exec("postgres", "CREATE DATABASE " + db);
        pg.exec(db, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, '" + SECRET + "')",
                "CREATE SCHEMA sales", "CREATE TABLE sales.orders (id int)", "INSERT INTO sales.orders SELECT generate_series(1, 5)",
                "CREATE SEQUENCE s", "SELECT nextval('s')",
                // restored without owners, these belong to the superuser: they must not lend a check its rights
                "CREATE FUNCTION leak() RETURNS boolean SECURITY DEFINER LANGUAGE sql AS $$ SELECT pg_read_file('/etc/passwd') IS NOT NULL $$",
                "CREATE VIEW authid_view AS SELECT rolname FROM pg_authid",
                "CREATE VIEW tv AS SELECT id FROM t");
        Path touched = Path.of("/tmp", "shopdb-drill-" + UUID.randomUUID());
        List<String> checks = List.of(
                "SELECT count(*) = 1 FROM t",                                                           // 1 passes
                "COPY (SELECT 1) TO PROGRAM 'touch " + touched + "'",                                 // 2 needs superuser
                "SELECT pg_read_file('/etc/passwd') IS NOT NULL",                                     // 3 needs superuser
                "SET TRANSACTION READ WRITE; INSERT INTO t VALUES (2, 'written') RETURNING true",     // 4 no write privilege
                "SELECT 1/0 = 1",                                                                     // 5 an error
                "SELECT (SELECT v FROM t)::int > 0",                                                  // 6 an error quoting a value
                "SELECT count(*) >= 0 FROM pg_authid",                                                // 7 shared catalogs stay closed
                "SELECT NOT rolsuper AND current_user = session_user FROM pg_roles WHERE rolname = current_user", // 8 passes
                "SELECT count(*) = 5 FROM sales.orders",                                              // 9 passes: every schema
                "SELECT last_value = 1 FROM s",                                                       // 10 passes: sequences
                "RESET ROLE; SELECT rolsuper FROM pg_roles WHERE rolname = current_user",             // 11 one statement per check
                "SET statement_timeout = 0; SELECT pg_sleep(60) IS NULL",                             // 12 cancelled by the client's timeout
                "SELECT v FROM t",                                                                    // 13 not a boolean
                "SELECT leak()",                                                                      // 14 definer function: not as superuser
                "SELECT count(*) > 0 FROM authid_view",                                               // 15 a view reads as the drill role
                "SELECT count(*) = 1 FROM tv");                                                       // 16 passes: an ordinary view

        DrillChecks.Report report;
        try (Connection admin = pg.connect(db)) {
            report = DrillChecks.run(admin, pg.superuser().withDatabase(db), checks, Duration.ofSeconds(2));
            assertTrue(admin.getAutoCommit());
        }

        List<DrillChecks.CheckResult> r = report.results();
        assertEquals(checks.size(), r.size());
        assertFalse(report.ok());
        assertEquals("5 of 16 check(s) passed", report.summary());
        assertTrue(r.get(0).passed(), r.get(0).message());
        assertEquals(1, r.get(0).rows());
        assertEquals("check #1 passed (1 row)", r.get(0).message());
        assertEquals("42501", r.get(1).sqlState(), r.get(1).message());
        assertEquals("42501", r.get(2).sqlState(), r.get(2).message());
        assertEquals("42501", r.get(3).sqlState(), r.get(3).message());
        assertEquals("check #5 failed: SQLSTATE 22012 (division by zero)", r.get(4).message());
        assertEquals("22P02", r.get(5).sqlState(), r.get(5).message());
        assertEquals("42501", r.get(6).sqlState(), r.get(6).message());
        assertTrue(r.get(7).passed(), r.get(7).message());
        assertTrue(r.get(8).passed(), r.get(8).message());
        assertTrue(r.get(9).passed(), r.get(9).message());
        assertEquals("check #11 failed: SQLSTATE 02000 (no data: the check returned no result set)", r.get(10).message());
        assertEquals("57014", r.get(11).sqlState(), r.get(11).message());
        assertEquals("check #13 must return one boolean column (1 row)", r.get(12).message());
        assertEquals("42501", r.get(13).sqlState(), r.get(13).message());
        assertEquals("42501", r.get(14).sqlState(), r.get(14).message());
        assertTrue(r.get(15).passed(), r.get(15).message());
        for (var result : r) {
            if (!result.passed() && result.sqlState() != null) {
                assertTrue(result.message().startsWith("check #" + result.number() + " failed: SQLSTATE " + result.sqlState() + " ("),
                        result.message());
                assertEquals(-1, result.rows());
            }
        }
        String all = String.join("\n", report.failures()) + report.summary();
        assertFalse(all.contains(SECRET), all);
        assertFalse(all.contains("root:"), all);
        assertFalse(all.contains("written"), all);
        assertFalse(all.contains("permission denied"), "the server's text never comes back: " + all);

        assertFalse(Files.exists(touched), "COPY TO PROGRAM ran nothing");
        assertEquals(1, count(pg, db, "SELECT count(*) FROM t"), "nothing was written");
        assertEquals(0, count(pg, "postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + report.role() + "'"), "drill role dropped");
        assertTrue(report.role().startsWith("shopdb_drill_"), report.role());
        assertNull(report.cleanupProblem());
        assertEquals(2, count(pg, db, "SELECT count(*) FROM pg_proc p, pg_class c WHERE p.proname = 'leak' AND c.relname IN ('authid_view', 'tv')"
                + " AND pg_get_userbyid(p.proowner) = 'postgres' AND pg_get_userbyid(c.relowner) = 'postgres'"),
                "what was handed to the drill role is the superuser's again");
    }

    @Test
    void noChecksCreateNoRole(TestPostgres pg) throws SQLException {
        try (Connection admin = pg.connect()) {
            DrillChecks.Report report = DrillChecks.run(admin, pg.superuser(), List.of());
            assertTrue(report.ok());
            assertNull(report.role());
        }
    }

    private static long count(TestPostgres pg, String db, String sql) throws SQLException {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
