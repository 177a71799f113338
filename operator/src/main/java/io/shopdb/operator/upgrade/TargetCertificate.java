package io.shopdb.operator.upgrade;

import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Whether the target serves a certificate a client of the source accepts: signed by the source's CA and naming the
 * source's -rw Service, checked the way such a client checks it (a TLS connection verifying both). The cutover waits
 * for it, so moving the Services never breaks a client that verifies the server.
 */
final class TargetCertificate {
    private TargetCertificate() {}

    /** Null when the target passes, else why not. */
    static String problem(PgEndpoint target, PgEndpoint source, PostgresCluster sourceCluster) {
        PgEndpoint asSource = new PgEndpoint(target.host(), target.port(), target.database(), target.user(), target.password(), "verify-full",
                ClusterTls.trust(source.trust().caPem(), sourceCluster, ClusterNames.writeService(sourceCluster)));
        try (Connection c = PgConnections.open(asSource, 5, 10)) {
            return null;
        } catch (SQLException e) {
            return "Waiting for the target's certificate to name " + ClusterNames.writeService(sourceCluster) + " and be signed by the"
                    + " source's CA (clients verifying the server reach it by that name after the cutover): " + e.getMessage();
        }
    }
}
