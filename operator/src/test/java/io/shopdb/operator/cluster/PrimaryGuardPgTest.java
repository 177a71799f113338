package io.shopdb.operator.cluster;

import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * guard.sh against a real server: a primary whose lease the operator keeps renewing runs on; one whose renewals stop
 * (cut off from the operator, no replica following it) fences itself within the bound the operator waits for
 * (PrimaryLease.SELF_FENCED_AFTER) and leaves the marker bootstrap.sh honours; a renewal held up past its window is
 * refused by the server.
 */
class PrimaryGuardPgTest {
    TestPostgres pg;
    Process guard;

    @AfterEach
    void tearDown() {
        if (guard != null) {
            guard.descendants().forEach(ProcessHandle::destroyForcibly);
            guard.destroyForcibly();
        }
        if (pg != null) {
            pg.stop();
        }
    }

    Process startGuard(long leaseMillis) throws Exception {
        Path config = Files.createTempDirectory("shopdb-guard-config");
        Files.writeString(config.resolve(ClusterObjects.GUARD_LEASE_KEY), String.valueOf(leaseMillis));
        LocalPostgres.handOver(config);
        List<String> cmd = new ArrayList<>(LocalPostgres.asServerUser());
        cmd.addAll(List.of("/bin/sh", "-c", InstanceSetBuilder.GUARD));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(pg.dir().resolve("guard.log").toFile());
        pb.environment().put("PGDATA", pg.dir().resolve("data").toString());
        pb.environment().put("PGPORT", String.valueOf(pg.port()));
        pb.environment().put("SHOPDB_RUN_DIR", pg.dir().toString());
        pb.environment().put("SHOPDB_CONFIG_DIR", config.toString());
        pb.environment().put("POSTGRES_PASSWORD", new String(pg.superuser().password()));
        return pb.start();
    }

    /** One renewal as the probe sends it: on a login that just succeeded; returns when it may have landed at the latest. */
    Instant renew() throws SQLException {
        try (Connection c = PgConnections.open(pg.superuser())) {
            Instant by = Instant.now().plus(PrimaryLease.RENEWAL_WINDOW);
            PrimaryLease.renew(c);
            return by;
        }
    }

    boolean postmasterAlive() throws Exception {
        Path pid = pg.dir().resolve("data/postmaster.pid");
        if (!Files.exists(pid)) {
            return false;
        }
        long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
        return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aPrimaryWhoseLeaseIsNotRenewedFencesItselfWithinTheBoundTheOperatorWaitsFor() throws Exception {
        pg = TestPostgres.start();
        guard = startGuard(PrimaryLease.LEASE.toMillis());
        Instant last = renew();
        Instant until = Instant.now().plusSeconds(5);
        while (Instant.now().isBefore(until)) { // the operator reaches it: it runs on
            Thread.sleep(400);
            last = renew();
        }
        assertTrue(postmasterAlive(), "renewed twice a second, it must not be fenced: " + Files.readString(pg.dir().resolve("guard.log")));
        assertFalse(Files.exists(pg.dir().resolve("data/shopdb-fenced")));

        // cut off from the operator: no more renewals
        Instant deadline = last.plus(PrimaryLease.SELF_FENCED_AFTER);
        while (postmasterAlive() && Instant.now().isBefore(deadline.plusSeconds(10))) {
            Thread.sleep(100);
        }
        Instant stopped = Instant.now();
        assertFalse(postmasterAlive(), "never fenced: " + Files.readString(pg.dir().resolve("guard.log")));
        assertTrue(stopped.isBefore(deadline), "fenced at " + stopped + ", after the bound " + deadline + " the operator promotes at");
        assertTrue(Files.exists(pg.dir().resolve("data/shopdb-fenced")), "the marker that keeps bootstrap.sh from starting it as a primary");
        assertTrue(Files.readString(pg.dir().resolve("guard.log")).contains("FENCING"));
    }

    @Test
    void aPrimaryTheOperatorHasNotReachedYetIsNotFencedAndArmingWritesTheLeaseOnce() throws Exception {
        pg = TestPostgres.start();
        guard = startGuard(PrimaryLease.LEASE.toMillis()); // a new cluster's first primary: no lease file yet
        Thread.sleep(PrimaryLease.SELF_FENCED_AFTER.plusSeconds(1).toMillis());
        assertTrue(postmasterAlive(), "not armed, not fenced: " + Files.readString(pg.dir().resolve("guard.log")));
        Path lease = pg.dir().resolve("data/shopdb-lease");
        try (Connection c = PgConnections.open(pg.superuser())) {
            PrimaryLease.arm(c);
            var first = Files.getLastModifiedTime(lease);
            Thread.sleep(1100);
            PrimaryLease.arm(c); // never refreshes: only renewals do
            assertEquals(first, Files.getLastModifiedTime(lease));
        }
        // armed and never renewed: fenced
        Instant armed = Instant.now();
        while (postmasterAlive() && Instant.now().isBefore(armed.plus(PrimaryLease.SELF_FENCED_AFTER).plusSeconds(5))) {
            Thread.sleep(100);
        }
        assertFalse(postmasterAlive(), "armed, its lease ran out: fenced");
    }

    @Test
    void theGuardIsOffForASingleInstance() throws Exception {
        pg = TestPostgres.start();
        guard = startGuard(0);
        renew(); // armed, then never renewed: with the guard on it would be fenced
        Thread.sleep(PrimaryLease.SELF_FENCED_AFTER.plusSeconds(1).toMillis());
        assertTrue(postmasterAlive());
    }

    @Test
    void aRenewalThatReachesTheServerLateIsRefused() throws Exception {
        pg = TestPostgres.start();
        try (Connection c = PgConnections.open(pg.superuser())) {
            PrimaryLease.renew(c); // in time
            Thread.sleep(PrimaryLease.RENEWAL_WINDOW.plusMillis(300).toMillis());
            var e = assertThrows(SQLException.class, () -> PrimaryLease.renew(c));
            assertEquals("57014", e.getSQLState(), e.getMessage());
        }
        assertTrue(Files.exists(pg.dir().resolve("data/shopdb-lease")));
    }
}
