package io.shopdb.operator.runtime;

import io.shopdb.operator.runtime.LeaderElection;
import io.shopdb.operator.runtime.Leadership;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

public class LeaderElectionTest {
    public static LeaderElection.Config config(boolean enabled, String namespace) {
        return new LeaderElection.Config() {
            public boolean enabled() { return enabled; }
            public String leaseName() { return "shopdb-operator-lease"; }
            public Optional<String> leaseNamespace() { return Optional.ofNullable(namespace); }
        };
    }

    @Test
    void offByDefaultSoTheSandboxAndTestsNeedNoLease() {
        assertNull(new LeaderElection().leaderElection(config(false, "shopdb-system"), new Leadership()));
    }

    @Test
    void theChartTurnsItOnWithTheLeaseInTheOperatorsNamespace() {
        var c = new LeaderElection().leaderElection(config(true, "shopdb-system"), new Leadership());
        assertEquals("shopdb-operator-lease", c.getLeaseName());
        assertEquals("shopdb-system", c.getLeaseNamespace().orElseThrow());
    }
}
