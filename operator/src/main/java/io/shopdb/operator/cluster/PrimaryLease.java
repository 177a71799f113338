package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * The primary's lease: the operator's half of guard.sh. While the operator reaches the primary, its probe rewrites
 * the file shopdb-lease in the data directory twice a second; the guard sidecar fences a primary whose lease is older
 * than {@link #LEASE} and that no streaming replica confirms. So a primary cut off from the operator stops by itself,
 * and the operator promotes another instance only once the lost one has certainly stopped:
 * <ul>
 *   <li>its process is known to be gone (its pod deleted or replaced, or its postgres container not running), or</li>
 *   <li>{@link #SELF_FENCED_AFTER} has passed since the last renewal could have reached it and since a replica was last
 *       seen receiving its WAL: the lease ran out, no replica confirms it, and the guard had time to act.</li>
 * </ul>
 * Time bounds (docs/reliability.md, "Two primaries"): a renewal is refused by the server once its login is older than
 * {@link #RENEWAL_WINDOW}, so the last one lands before login + window; the guard checks every 250 ms, its query
 * gives up after 1 s, and it kills at once: it has fenced within LEASE + 1.5 s of the last renewal or replica
 * reply. Both clocks only measure elapsed time on their own machine (the lease file's modification time is the
 * primary's clock); the margin covers their drift over seconds.
 */
public final class PrimaryLease {
    private PrimaryLease() {}

    /** A primary not renewed for this long, and not followed by a replica, fences itself (guard.sh). */
    public static final Duration LEASE = Duration.ofSeconds(2);
    /** How long after its login a renewal may still be written (the server refuses it later). */
    public static final Duration RENEWAL_WINDOW = Duration.ofSeconds(1);
    /** After the last renewal could have landed, or a replica was last seen streaming: the guard has fenced by then. */
    public static final Duration SELF_FENCED_AFTER = LEASE.plus(Duration.ofMillis(2000));

    /** The guard's lease for the mounted configuration: on only when there are replicas to promote. */
    static long guardMillis(PostgresCluster c) {
        return c.getSpec().getInstances() != null && c.getSpec().getInstances() >= 2 ? LEASE.toMillis() : 0;
    }

    /**
     * Rewrites the lease file of the primary behind {@code c} (a superuser session that just logged in). COPY's output
     * path must be absolute, hence data_directory; refused when the login is older than the window, so a statement
     * held up in a frozen server cannot renew the lease long after the operator sent it.
     */
    static void renew(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("""
                    DO $lease$
                    BEGIN
                      IF clock_timestamp() - (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
                         > make_interval(secs => %d) THEN
                        RAISE EXCEPTION 'lease renewal arrived too late' USING ERRCODE = '57014';
                      END IF;
                      EXECUTE format('COPY (SELECT 1) TO %%L', current_setting('data_directory') || '/shopdb-lease');
                    END
                    $lease$""".formatted(RENEWAL_WINDOW.toSeconds()));
        }
    }

    /**
     * Arms the guard of a new cluster's primary: writes the lease file if there is none yet (never refreshes it, so a
     * late statement cannot renew a lease). The reconcile does it when it first reaches the primary, before the
     * cluster counts as initialized; until then no failover happens, and the guard, without a lease file, fences
     * nothing (a new primary waiting for its first renewal is not cut off).
     */
    static void arm(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("""
                    DO $lease$
                    DECLARE f text := current_setting('data_directory') || '/shopdb-lease';
                    BEGIN
                      IF pg_stat_file(f, true) IS NULL THEN
                        EXECUTE format('COPY (SELECT 1) TO %L', f);
                      END IF;
                    END
                    $lease$""");
        }
    }

    /**
     * Whether the process of the lost primary is known to be gone: no pod of that name, another pod object
     * (recreated), its postgres container not running, or restarted since the operator last saw it up (a crash the
     * kubelet restarted: the process the operator saw as primary is gone). {@code restartsWhenUp}: the container's
     * restart count then, null when unknown (an operator restarted since).
     */
    static boolean stopped(Pod pod, String lostUid, Integer restartsWhenUp) {
        if (pod == null || lostUid == null || !lostUid.equals(pod.getMetadata().getUid())) {
            return true;
        }
        ContainerStatus s = postgresStatus(pod);
        if (s == null) {
            return false;
        }
        if (s.getState() == null || s.getState().getRunning() == null) {
            return true;
        }
        return restartsWhenUp != null && s.getRestartCount() != null && s.getRestartCount() > restartsWhenUp;
    }

    /** The restart count of the pod's postgres container, null when the kubelet has not reported it. */
    static Integer restarts(Pod pod) {
        ContainerStatus s = pod == null ? null : postgresStatus(pod);
        return s == null ? null : s.getRestartCount();
    }

    private static ContainerStatus postgresStatus(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> "postgres".equals(s.getName())).findFirst().orElse(null);
    }

    /**
     * When the lost primary has certainly fenced itself: {@link #SELF_FENCED_AFTER} after the later of the last instant
     * a renewal can have reached it and the last instant a replica can have confirmed it. A replica confirms it while
     * it streams; the operator saw the last one streaming at {@code lastSeenStreaming}, or, if it never saw one,
     * they had all stopped by {@code firstLook} (its first look at the failover). Without a renewal of its own (a
     * restarted operator), the previous instance may have renewed until just before {@code firstLook}.
     */
    static Instant selfFencedBy(Instant renewedBy, Instant lastSeenStreaming, Instant firstLook) {
        Instant base = lastSeenStreaming != null && lastSeenStreaming.isAfter(firstLook) ? lastSeenStreaming : firstLook;
        if (renewedBy != null && renewedBy.isAfter(base)) {
            base = renewedBy;
        }
        return base.plus(SELF_FENCED_AFTER);
    }
}
