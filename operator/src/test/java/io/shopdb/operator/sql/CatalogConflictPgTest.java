package io.shopdb.operator.sql;

import io.shopdb.operator.sql.DesiredGrants.AllInSchema;
import io.shopdb.operator.sql.DesiredGrants.Defaults;
import io.shopdb.operator.sql.DesiredGrants.OnSchema;
import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many roles granted CONNECT, schema USAGE, table privileges and a default privilege on one database at the
 * same moment, as a thousand PostgresRoles do after their cluster turns Ready. Without taking turns, two
 * GRANT CONNECT rewrite the same pg_database row and one fails with "tuple concurrently updated"; here each
 * role's grants run in turn per database (CatalogLocks) and every one succeeds, first time.
 */
@ExtendWith(PostgresExtension.class)
class CatalogConflictPgTest {
    static final int ROLES = 16;
    final TestPostgres pg;

    CatalogConflictPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    @Test
    void concurrentGrantsOnOneDatabaseAllSucceedWithoutARetry() throws Exception {
        String db = SqlTestNames.unique("conflict");
        String owner = SqlTestNames.unique("conflict_owner");
        pg.exec("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db);
        pg.exec(db, "CREATE SCHEMA a AUTHORIZATION " + owner, "CREATE SCHEMA b AUTHORIZATION " + owner,
                "CREATE TABLE a.t (id int)", "CREATE TABLE b.t (id int)");
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < ROLES; i++) {
            String r = SqlTestNames.unique("conflict_r" + i);
            pg.exec("postgres", "CREATE ROLE " + r);
            roles.add(r);
        }
        CatalogLocks locks = new CatalogLocks();
        ExecutorService threads = Executors.newFixedThreadPool(ROLES);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> attempts = new ArrayList<>();
        try (PgPools pools = new PgPools(new PgPools.Settings(ROLES, Duration.ofMinutes(1), Duration.ofMinutes(5)))) {
            for (String role : roles) {
                DesiredGrants want = new DesiredGrants(role, Set.of("CONNECT"),
                        List.of(new OnSchema("a", Set.of("USAGE")), new OnSchema("b", Set.of("USAGE"))),
                        List.of(new AllInSchema(ObjectKind.TABLE, "a", Set.of("SELECT", "INSERT")), new AllInSchema(ObjectKind.TABLE, "b", Set.of("SELECT"))),
                        List.of(), List.of(new Defaults(owner, "a", ObjectKind.TABLE, Set.of("SELECT"))));
                attempts.add(threads.submit(() -> {
                    start.await();
                    try (Connection c = pools.open("ns/conflict", pg.superuser().withDatabase(db))) {
                        int[] runs = {0};
                        // as ClusterAccess.Target#changingCatalog: in turn, and a conflict would show as a second run
                        locks.withLock("ns/conflict", db, () -> SqlErrors.retryingConflicts(() -> {
                            runs[0]++;
                            return SqlSteps.apply(c, GrantPlan.plan(want, GrantCatalog.read(c, role)));
                        }));
                        return runs[0];
                    }
                }));
            }
            start.countDown();
            for (Future<Integer> f : attempts) {
                assertEquals(1, f.get(), "each role's grants ran once: no conflict, no retry");
            }
        } finally {
            threads.shutdown();
        }
        try (Connection c = pg.connect(db); var ps = c.prepareStatement(
                "SELECT count(*) FROM unnest(?::text[]) r WHERE has_database_privilege(r, current_database(), 'CONNECT')"
                        + " AND has_table_privilege(r, 'a.t', 'INSERT') AND has_schema_privilege(r, 'b', 'USAGE')")) {
            ps.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(ROLES, rs.getInt(1), "every role holds every grant");
            }
        }
        try (Connection c = pg.connect(db); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_default_acl WHERE defaclnamespace = 'a'::regnamespace")) {
            rs.next();
            assertTrue(rs.getInt(1) >= 1, "the default privileges are in place");
        }
    }
}
