package io.shopdb.operator.runtime;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this operator replica is the leader. Without leader election there is one replica and it leads;
 * with it, only between JOSDK's start- and stop-leading callbacks. Work that is not a reconcile (the health
 * snapshot behind the shopdb_pg_* metrics) asks here, so two replicas neither double the load on the
 * databases nor publish the same series twice.
 */
@ApplicationScoped
public class Leadership {
    private final AtomicBoolean electionEnabled = new AtomicBoolean(false);
    private final AtomicBoolean leading = new AtomicBoolean(false);

    public boolean isLeader() {
        return !electionEnabled.get() || leading.get();
    }

    /** Called once when the election is configured: from then on this replica leads only once elected. */
    void electionEnabled() {
        electionEnabled.set(true);
    }

    public void startedLeading() {
        leading.set(true);
    }

    public void stoppedLeading() {
        leading.set(false);
    }
}
