package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PostgresExtension.class)
class PgPoolsPgTest {
    final TestPostgres pg;

    PgPoolsPgTest(TestPostgres pg) {
        this.pg = pg;
    }

    private static PgPools pools(int max) {
        return new PgPools(new PgPools.Settings(max, Duration.ofMinutes(5), Duration.ofMinutes(30)));
    }

    /**
     * A pool retired while a connection is borrowed (its cluster gone, or its Secret rotated) lets that work finish:
     * the transaction commits on the same session, and the pool's sessions end only once it is returned. Closing at
     * once (Hikari's close) aborted the borrowed connection under a running migration.
     */
    @Test
    void aRetiredPoolLetsBorrowedWorkFinish() throws Exception {
        String table = SqlTestNames.unique("retire_t");
        try (PgPools pools = pools(2)) {
            Connection c = pools.open("ns/retire", pg.superuser());
            int pid = pid(c);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + table + " (id int)");
                pools.retireOwners(Set.of("ns/retire"));
                assertEquals(0, pools.size(), "no longer lent");
                Thread.sleep(1500); // past one retire check: a close now would abort this session
                st.execute("INSERT INTO " + table + " VALUES (1)");
            }
            c.commit();
            c.close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !sessionExists(pid));
        }
        try (Connection su = pg.connect(); Statement st = su.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the work on the retired pool committed");
        }
    }

    @Test
    void manyConcurrentUsersShareAFewConnections() throws Exception {
        String app = SqlTestNames.unique("pool_app");
        try (PgPools pools = pools(3)) {
            ExecutorService threads = Executors.newFixedThreadPool(12);
            List<Future<Integer>> pids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pids.add(threads.submit(() -> {
                    try (Connection c = pools.open("ns/" + app, pg.superuser()); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }));
            }
            Set<Integer> distinct = new java.util.HashSet<>();
            for (Future<Integer> f : pids) {
                distinct.add(f.get());
            }
            threads.shutdown();
            assertTrue(distinct.size() <= 3, "200 uses on 12 threads, at most max-size server sessions: " + distinct);
            assertTrue(pools.connectionsOpened() <= 3, "opened " + pools.connectionsOpened());
            assertEquals(1, pools.size());
        }
    }

    @Test
    void aChangedPasswordGetsANewPoolAndTheOldOneIsClosed() throws Exception {
        String role = SqlTestNames.unique("pool_rot");
        pg.exec("postgres", "CREATE ROLE " + role + " LOGIN");
        char[] first = "first-password".toCharArray();
        char[] second = "second-password".toCharArray();
        try (Connection su = pg.connect()) {
            RoleCatalog.ensurePassword(su, role, first);
        }
        try (PgPools pools = pools(2)) {
            PgEndpoint before = pg.endpoint("postgres", role, first);
            int oldPid;
            try (Connection c = pools.open("ns/rot", before)) {
                oldPid = pid(c);
            }
            try (Connection su = pg.connect()) {
                RoleCatalog.ensurePassword(su, role, second);
            }
            try (Connection c = pools.open("ns/rot", pg.endpoint("postgres", role, second))) {
                assertTrue(pid(c) != oldPid, "a new session with the new password");
            }
            assertEquals(1, pools.size(), "the pool was replaced, not added");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !sessionExists(oldPid));

            pools.retireOwners(Set.of("ns/rot"));
            assertEquals(0, pools.size(), "a cluster that is gone keeps no pool");
            assertThrows(SQLException.class, () -> pools.dataSource("ns/rot", before).getConnection().close(),
                    "the old password no longer opens anything");
        }
    }

    private boolean sessionExists(int pid) throws SQLException {
        try (Connection su = pg.connect(); var ps = su.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
