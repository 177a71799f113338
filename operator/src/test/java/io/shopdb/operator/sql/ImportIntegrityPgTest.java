package io.shopdb.operator.sql;

import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integrity report of an import, between two real servers: a second local PostgreSQL plays the existing
 * server (source), the shared test server the target. The copy is what an import runs (parallel pg_dump in
 * directory format from the exported snapshot, parallel pg_restore without owners and grants); a table keeps
 * changing on the source during the copy.
 */
@ExtendWith(PostgresExtension.class)
class ImportIntegrityPgTest {
    static TestPostgres source;
    final TestPostgres target;

    ImportIntegrityPgTest(TestPostgres target) {
        this.target = target;
    }

    @BeforeAll
    static void existingServer() throws Exception {
        source = TestPostgres.start();
        source.exec("postgres", "CREATE ROLE shop_app LOGIN", "CREATE ROLE legacy_reports LOGIN", "CREATE DATABASE legacy");
        source.exec("legacy", "CREATE SCHEMA sales",
                "CREATE TABLE sales.customers (id int PRIMARY KEY, email text, created_at timestamptz)",
                "INSERT INTO sales.customers SELECT g, 'c' || g || '@example.com', timestamptz '2026-01-01' + g * interval '1 hour' FROM generate_series(1, 5000) g",
                "CREATE TABLE sales.orders (id int, customer_id int, total numeric(12,2), created_at timestamptz) PARTITION BY RANGE (created_at)",
                "CREATE TABLE sales.orders_2026 PARTITION OF sales.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT",
                "INSERT INTO sales.orders SELECT g, 1 + g % 5000, g % 300, timestamptz '2026-01-01' + g * interval '5 minutes' FROM generate_series(1, 20000) g",
                "CREATE TABLE public.audit_log (line text)", // no primary key: ordered by each row's hash
                "INSERT INTO public.audit_log SELECT 'event ' || g FROM generate_series(1, 300) g",
                "GRANT SELECT ON ALL TABLES IN SCHEMA sales TO legacy_reports");
        // a second copy for the test that writes to the source while it imports
        source.exec("postgres", "CREATE DATABASE legacy_live TEMPLATE legacy");
    }

    @AfterAll
    static void stopSource() {
        source.stop();
    }

    @Test
    void aCopyFromTheSnapshotMatchesItAndDamageIsNamedPerTable() throws Exception {
        String db = SqlTestNames.unique("imported");
        Map<String, TableChecksums.TableSum> atSnapshot;
        Path dump = Files.createTempDirectory("import-");
        Files.delete(dump); // pg_dump -Fd creates it
        try (Connection snapshot = source.connect("legacy")) {
            String id = TableChecksums.exportSnapshot(snapshot);
            // the shop keeps selling while it is copied: committed after the snapshot, before and during the dump
            source.exec("legacy", "INSERT INTO sales.orders SELECT g, 1, 9.99, now() FROM generate_series(20001, 20100) g",
                    "UPDATE sales.customers SET email = 'changed@example.com' WHERE id = 7");
            run("pg_dump", "-h", "127.0.0.1", "-p", String.valueOf(source.port()), "-U", "postgres", "-d", "legacy",
                    "-Fd", "-j", "2", "--snapshot=" + id, "-f", dump.toString());
            atSnapshot = TableChecksums.read(snapshot);
            snapshot.commit();
        }
        target.exec("postgres", "CREATE DATABASE " + db);
        run("pg_restore", "-h", "127.0.0.1", "-p", String.valueOf(target.port()), "-U", "postgres", "-d", db,
                "-j", "2", "--no-owner", "--no-privileges", "--exit-on-error", dump.toString());
        LocalPostgres.deleteTree(dump);

        Map<String, TableChecksums.TableSum> copied;
        try (Connection c = target.connect(db)) {
            copied = TableChecksums.read(c);
        }
        assertEquals(List.of("public.audit_log", "sales.customers", "sales.orders"), new ArrayList<>(copied.keySet()));
        assertEquals(20000, copied.get("sales.orders").rows(), "the partitioned table counts as one, through its partitions");
        assertEquals(List.of(), TableChecksums.compare(atSnapshot, copied), "the copy is exactly the source at the snapshot");

        // compared with the source as it is now, the two tables that changed during the copy differ, and only those
        Map<String, TableChecksums.TableSum> now;
        try (Connection c = source.connect("legacy")) {
            now = TableChecksums.read(c);
        }
        assertEquals(List.of(new TableChecksums.Mismatch("sales.customers", "same 5000 rows but different content (md5 "
                        + now.get("sales.customers").md5() + " vs " + copied.get("sales.customers").md5() + ")"),
                new TableChecksums.Mismatch("sales.orders", "rows: source 20100, target 20000")), TableChecksums.compare(now, copied));

        // a damaged copy: one changed value, one lost row, one missing table
        target.exec(db, "UPDATE public.audit_log SET line = 'event X' WHERE line = 'event 42'", "DELETE FROM sales.orders WHERE id = 5",
                "DROP TABLE sales.customers CASCADE");
        try (Connection c = target.connect(db)) {
            List<TableChecksums.Mismatch> damage = TableChecksums.compare(atSnapshot, TableChecksums.read(c));
            assertEquals(List.of("public.audit_log", "sales.customers", "sales.orders"), damage.stream().map(TableChecksums.Mismatch::table).toList());
            assertTrue(damage.get(0).problem().startsWith("same 300 rows but different content"), damage.toString());
            assertEquals("missing on the target", damage.get(1).problem());
            assertEquals("rows: source 20000, target 19999", damage.get(2).problem());
        }

        // roles are not copied (--no-owner --no-privileges); those no PostgresRole declares are listed
        try (Connection c = source.connect()) {
            assertEquals(List.of("legacy_reports"), TableChecksums.rolesNotDeclared(c, List.of("shop_app")));
        }
    }

    @Test
    void theAgentsImportStepCopiesWhileTheShopKeepsWritingAndReportsAMatch() throws Exception {
        String db = SqlTestNames.unique("agent_import");
        String owner = SqlTestNames.unique("live_owner");
        target.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db + " OWNER " + owner);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        Thread shop = new Thread(() -> {
            try (Connection c = source.connect("legacy_live"); var ps = c.prepareStatement(
                    "INSERT INTO sales.orders VALUES (?, 1, 1.00, now())")) {
                for (int id = 100_000; !stop.get() || written.get() == 0; id++) {
                    ps.setInt(1, id);
                    ps.executeUpdate();
                    written.incrementAndGet();
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        shop.start();
        Path spool = Files.createTempDirectory("import-spool-");
        io.shopdb.operator.agent.DatabaseImport.Report report;
        try (Connection admin = target.connect(db)) {
            // as itself, the throwaway login owns nothing and may create nothing: give it a schema of its own
            String login = SqlTestNames.unique("shopdb_mig_");
            var restoreAs = restoreLogin(admin, login, db, owner);
            report = io.shopdb.operator.agent.DatabaseImport.run(io.shopdb.operator.agent.PgTools.locate(),
                    source.superuser().withDatabase("legacy_live"), target.superuser().withDatabase(db), restoreAs,
                    new io.shopdb.operator.agent.DatabaseImport.Options(owner, List.of(), List.of(), List.of("shop_app"), false, 2,
                            java.time.Duration.ofMinutes(10)), spool);
            OwnerSession.dropLogin(admin, login, owner);
        } finally {
            stop.set(true);
            shop.join();
            LocalPostgres.deleteTree(spool);
        }
        assertTrue(report.ok(), report.mismatches().toString());
        assertEquals(List.of("legacy_reports"), report.rolesNotDeclared());
        long copiedOrders = report.source().get("sales.orders").rows();
        long sourceOrders;
        try (Connection c = source.connect("legacy_live"); var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM sales.orders")) {
            rs.next();
            sourceOrders = rs.getLong(1);
        }
        assertTrue(sourceOrders > copiedOrders, "orders kept coming after the snapshot: " + sourceOrders + " > " + copiedOrders);
        try (Connection c = target.connect(db)) {
            assertEquals(copiedOrders, TableChecksums.read(c).get("sales.orders").rows(), "the copy holds the snapshot's orders");
        }
    }

    @Test
    void asTheOwnerWithASchemaListALeftoverOfAnEarlierAttemptIsReplacedAndOtherDataRefused() throws Exception {
        String owner = SqlTestNames.unique("imp_owner");
        String db = SqlTestNames.unique("agent_partial");
        target.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db + " OWNER " + owner);
        // what a killed pg_restore leaves: the in-progress comment and part of the tables
        target.exec(db, "COMMENT ON DATABASE " + db + " IS 'shopdb: import in progress'", "SET ROLE " + owner,
                "CREATE SCHEMA sales", "CREATE TABLE sales.customers (id int PRIMARY KEY, email text, created_at timestamptz)",
                "INSERT INTO sales.customers VALUES (1, 'half@example.com', now())");
        var options = new io.shopdb.operator.agent.DatabaseImport.Options(owner, List.of("sales"), List.of(), List.of("shop_app"), false, 2,
                java.time.Duration.ofMinutes(10));
        Path spool = Files.createTempDirectory("import-spool-");
        String login = SqlTestNames.unique("shopdb_mig_");
        try (Connection admin = target.connect(db)) {
            var restoreAs = restoreLogin(admin, login, db, owner);
            var report = io.shopdb.operator.agent.DatabaseImport.run(io.shopdb.operator.agent.PgTools.locate(),
                    source.superuser().withDatabase("legacy"), target.superuser().withDatabase(db), restoreAs, options, spool);
            assertTrue(report.ok(), report.mismatches().toString());
            assertEquals(List.of("sales.customers", "sales.orders"), new ArrayList<>(report.source().keySet()), "only the schemas asked for");
            try (Connection c = target.connect(db); var st = c.createStatement(); var rs = st.executeQuery(
                    "SELECT string_agg(c.relname || ' ' || pg_get_userbyid(c.relowner), ', ' ORDER BY c.relname), "
                            + "shobj_description((SELECT oid FROM pg_database WHERE datname = current_database()), 'pg_database') "
                            + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'sales')")) {
                rs.next();
                assertEquals("customers %1$s, orders %1$s, orders_2026 %1$s, orders_default %1$s".formatted(owner), rs.getString(1),
                        "the half-made table was replaced, everything is owned by the database owner, public.audit_log stayed behind");
                assertEquals(null, rs.getString(2), "the in-progress mark is gone");
            }
            // now the database holds tables and no mark: a second import is refused, the data untouched
            var refused = org.junit.jupiter.api.Assertions.assertThrows(io.shopdb.operator.agent.protocol.AgentException.class,
                    () -> io.shopdb.operator.agent.DatabaseImport.run(io.shopdb.operator.agent.PgTools.locate(),
                            source.superuser().withDatabase("legacy"), target.superuser().withDatabase(db), restoreAs, options, spool));
            assertEquals(io.shopdb.operator.agent.protocol.AgentException.Reason.TARGET_NOT_EMPTY, refused.reason());
            OwnerSession.dropLogin(admin, login, owner);
        } finally {
            LocalPostgres.deleteTree(spool);
        }
    }

    /**
     * A dump whose restore runs hostile SQL: a domain's CHECK calls a function while pg_restore COPYs the rows in. On a
     * superuser's session with --role, its RESET ROLE returns to the superuser and the victim becomes one; logged in as
     * the throwaway member of the owner, RESET ROLE returns to a role that holds nothing: permission denied (42501).
     * A second variant creates a SECURITY DEFINER function (owned by whoever restores) and calls it the same way.
     */
    @Test
    void aHostileDumpRunsWithTheOwnersRightsOnlyAndFailsWithPermissionDenied() throws Exception {
        String victim = SqlTestNames.unique("victim");
        target.exec("postgres", "CREATE ROLE " + victim);
        for (String variant : List.of("reset_role", "definer")) {
            String sourceDb = "hostile_" + variant;
            String body = variant.equals("reset_role")
                    ? "CREATE FUNCTION public.escalate(v text) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
                    + " IF current_database() <> '" + sourceDb + "' THEN EXECUTE 'RESET ROLE'; EXECUTE 'ALTER ROLE ' || quote_ident(v) || ' SUPERUSER'; END IF;"
                    + " RETURN true; END $f$"
                    : "CREATE FUNCTION public.escalate(v text) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS $f$ BEGIN"
                    + " IF current_database() <> '" + sourceDb + "' THEN EXECUTE 'ALTER ROLE ' || quote_ident(v) || ' SUPERUSER'; END IF;"
                    + " RETURN true; END $f$";
            source.exec("postgres", "DROP DATABASE IF EXISTS " + sourceDb, "CREATE DATABASE " + sourceDb);
            source.exec(sourceDb, body, "CREATE DOMAIN public.victim_name AS text CHECK (public.escalate(VALUE))",
                    "CREATE TABLE public.targets (name public.victim_name)", "INSERT INTO public.targets VALUES ('" + victim + "')");

            String owner = SqlTestNames.unique("hostile_owner");
            String db = SqlTestNames.unique("hostile_copy");
            target.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db + " OWNER " + owner);
            String login = SqlTestNames.unique("shopdb_mig_");
            var options = new io.shopdb.operator.agent.DatabaseImport.Options(owner, List.of(), List.of(), List.of(), false, 2,
                    java.time.Duration.ofMinutes(10));
            Path spool = Files.createTempDirectory("import-spool-");
            try (Connection admin = target.connect(db)) {
                var restoreAs = restoreLogin(admin, login, db, owner);
                var failed = org.junit.jupiter.api.Assertions.assertThrows(io.shopdb.operator.agent.protocol.AgentException.class,
                        () -> io.shopdb.operator.agent.DatabaseImport.run(io.shopdb.operator.agent.PgTools.locate(),
                                source.superuser().withDatabase(sourceDb), target.superuser().withDatabase(db), restoreAs, options, spool));
                assertEquals(io.shopdb.operator.agent.protocol.AgentException.Reason.TOOL_FAILED, failed.reason(), failed.getMessage());
                assertTrue(failed.getMessage().contains("pg_restore failed") && failed.getMessage().contains("must be superuser to alter superuser roles"),
                        variant + ": " + failed.getMessage());
                assertEquals("f", one(target.connect(), "SELECT rolsuper FROM pg_roles WHERE rolname = '" + victim + "'"),
                        variant + ": the victim is no superuser");
                // the same call on the login pg_restore used, as it was (SET ROLE owner): SQLSTATE 42501
                try (Connection asLogin = PgConnections.open(restoreAs); var st = asLogin.createStatement()) {
                    st.execute("SET ROLE " + owner);
                    var denied = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                            () -> st.execute("SELECT public.escalate('" + victim + "')"));
                    assertEquals("42501", denied.getSQLState(), variant + ": " + denied.getMessage());
                }
                OwnerSession.dropLogin(admin, login, owner);
            } finally {
                LocalPostgres.deleteTree(spool);
            }
        }
    }

    @Test
    void theAgentRefusesToRestoreOnASuperusersLoginAndTheOperatorRefusesASuperuserOwner() throws Exception {
        String owner = SqlTestNames.unique("plain_owner");
        String db = SqlTestNames.unique("refused_copy");
        target.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db + " OWNER " + owner);
        Path spool = Files.createTempDirectory("import-spool-");
        try {
            var options = new io.shopdb.operator.agent.DatabaseImport.Options(owner, List.of(), List.of(), List.of(), false, 1,
                    java.time.Duration.ofMinutes(10));
            var refused = org.junit.jupiter.api.Assertions.assertThrows(io.shopdb.operator.agent.protocol.AgentException.class,
                    () -> io.shopdb.operator.agent.DatabaseImport.run(io.shopdb.operator.agent.PgTools.locate(), source.superuser().withDatabase("legacy"),
                            target.superuser().withDatabase(db), target.superuser().withDatabase(db), options, spool));
            assertEquals(io.shopdb.operator.agent.protocol.AgentException.Reason.INVALID, refused.reason());
            assertTrue(refused.getMessage().contains("SUPERUSER"), refused.getMessage());
            try (Connection c = target.connect(db)) {
                assertEquals(null, one(c, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"),
                        "refused before the target was touched");
            }
        } finally {
            LocalPostgres.deleteTree(spool);
        }
        String superOwner = SqlTestNames.unique("super_owner");
        target.exec("postgres", "CREATE ROLE " + superOwner + " SUPERUSER");
        try (Connection admin = target.connect(db)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(OwnerSession.RefusedRoleException.class,
                    () -> OwnerSession.createLogin(admin, SqlTestNames.unique("shopdb_mig_"), db, superOwner, "spec.owner", 3,
                            java.time.Duration.ofMinutes(5)));
            assertTrue(e.getMessage().startsWith("spec.owner: " + superOwner + " has SUPERUSER"), e.getMessage());
            assertEquals("0", one(admin, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shopdb\\_mig\\_%' AND pg_has_role(rolname, '"
                    + superOwner + "', 'MEMBER')"), "no login was made");
        }
    }

    /** The login the operator makes for an import Job: a throwaway member of {@code owner}, as an endpoint. */
    private PgEndpoint restoreLogin(Connection admin, String role, String db, String owner) throws Exception {
        OwnerSession.Login login = OwnerSession.createLogin(admin, role, db, owner, "spec.owner", 5, java.time.Duration.ofMinutes(30));
        return target.endpoint(db, login.role(), login.password());
    }

    private static String one(Connection c, String sql) throws java.sql.SQLException {
        try (c; var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void run(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LocalPostgres.binDir().resolve(tool).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", new String(source.superuser().password()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), tool + ": " + out);
    }
}
