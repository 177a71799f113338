package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Secret;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.role.ConnectionSecrets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The psql line the sandbox prints for a role's connection Secret: local address, role, database, no password. */
class ConnectionHintsTest {
    @Test
    void psqlLineConnectsToTheLocalServerAndReadsThePasswordFromTheSecret() {
        PostgresRole role = new PostgresRole();
        role.getMetadata().setName("shop-app");
        role.getMetadata().setNamespace("default");
        Secret secret = ConnectionSecrets.build(role, "shop-db-rw.default.svc", "5432", "shop", "shop_app",
                "s3cr3t-Pa55".toCharArray(), Map.of());
        ServiceAddresses.Resolver services = (ns, service, port) -> {
            assertEquals("default/shop-db-rw:5432", ns + "/" + service + ":" + port);
            return new ServiceAddresses.Address("127.0.0.1", 41234);
        };
        String line = new ConnectionHints(null, services, Path.of("/tmp/sb/kubeconfig")).line(secret);
        assertEquals("sandbox: connect as shop_app: PGPASSWORD=\"$(kubectl --kubeconfig /tmp/sb/kubeconfig -n default get secret "
                + "shop-app-connection -o jsonpath='{.data.password}' | base64 -d)\" psql -h 127.0.0.1 -p 41234 -U shop_app shop", line);
        assertFalse(line.contains("s3cr3t"), "the password is never printed");
    }
}
