package io.shopdb.operator.upgrade;

import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.util.ArrayList;
import java.util.List;

/** What makes a pair of clusters unfit for a major upgrade, in words a person can act on. Pure. */
final class UpgradeChecks {
    private UpgradeChecks() {}

    static List<String> problems(PostgresCluster source, PostgresCluster target) {
        List<String> out = new ArrayList<>();
        String s = source.getMetadata().getName();
        String t = target.getMetadata().getName();
        if (source.getSpec().isExternal() || target.getSpec().isExternal()) {
            out.add("both clusters must be managed (an external server's major is upgraded by its provider)");
        }
        if (source.getSpec().getStandby() != null || target.getSpec().getStandby() != null) {
            out.add("neither cluster may be a standby (spec.standby): the target fills by logical replication from a writable source");
        }
        if (major(target) <= major(source)) {
            out.add("the target " + t + " must run a higher major than the source (spec.postgresVersion " + target.getSpec().getPostgresVersion()
                    + " is not above " + source.getSpec().getPostgresVersion() + ")");
        }
        String sourceCa = ClusterTls.caSecret(source);
        if (!target.getSpec().isExternal() && !sourceCa.equals(ClusterTls.caSecret(target))) {
            out.add("the target's certificate must be signed by the source's CA, since clients reach it by the source's Services and"
                    + " verify it with that CA: set spec.tls.caSecretName: " + sourceCa + " on " + t);
        }
        String upgradedTo = source.getStatus() == null ? null : source.getStatus().getUpgradedTo();
        if (upgradedTo != null && !upgradedTo.equals(t)) {
            out.add("the source " + s + " was upgraded to " + upgradedTo + " already (status.upgradedTo)");
        }
        return out;
    }

    static int major(PostgresCluster c) {
        try {
            return Integer.parseInt(c.getSpec().getPostgresVersion());
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
