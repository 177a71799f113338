package io.shopdb.operator.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

import java.util.Optional;

/**
 * Leader election for running more than one operator replica (the Helm chart turns it on). quarkus-operator-sdk
 * enables JOSDK's Lease-based election when a {@link LeaderElectionConfiguration} bean exists (in the profiles
 * of quarkus.operator-sdk.activate-leader-election-for-profiles, prod by default); a null bean leaves it off,
 * which is what the sandbox and tests want: a Lease needs a real namespace and RBAC.
 */
@Dependent
public class LeaderElection {

    @ConfigMapping(prefix = "shopdb.leader-election")
    public interface Config {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("shopdb-operator-lease")
        String leaseName();

        /** The operator's own namespace (the chart passes it from the downward API); empty: the client's namespace. */
        Optional<String> leaseNamespace();
    }

    @Produces
    @Dependent
    @Unremovable
    public LeaderElectionConfiguration leaderElection(Config config, Leadership leadership) {
        if (!config.enabled()) {
            return null;
        }
        leadership.electionEnabled();
        // JOSDK's own callbacks start and stop the controllers; these only tell the rest of the operator.
        LeaderCallbacks tell = new LeaderCallbacks(leadership::startedLeading, leadership::stoppedLeading, leader -> { });
        return new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace().orElse(null),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE, LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null, tell, true);
    }
}
