package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.shopdb.operator.kube.ServiceAddresses;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox's rules for a PgBouncer container's config file: paths, listening port, server address. */
class PgBouncerFilesTest {
    private static final Container PGBOUNCER = new ContainerBuilder().withName("pgbouncer")
            .withCommand("/usr/sbin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini")
            .addNewVolumeMount().withName("config").withMountPath("/etc/pgbouncer").endVolumeMount().build();

    @Test
    void mapsPathsPortsAndServersAsTheEnvRulesDo() {
        ServiceAddresses.Resolver resolver = (ns, host, port) -> {
            assertEquals("shop", ns);
            assertEquals("shop-db-rw.shop.svc", host);
            return new ServiceAddresses.Address("127.0.0.1", 40001);
        };
        String ini = """
                [databases]
                * = host=shop-db-rw.shop.svc port=5432

                [pgbouncer]
                listen_addr = *
                listen_port = 5432
                auth_file = /etc/pgbouncer/userlist.txt
                server_tls_ca_file = /etc/pgbouncer/ca.crt
                pool_mode = transaction""";
        String local = PgBouncerFiles.translate(ini, PGBOUNCER, "shop", Map.of("config", Path.of("/tmp/pod/volumes/config")),
                Map.of(5432, 40100), resolver);
        assertTrue(local.contains("* = host=127.0.0.1 port=40001\n"), local);
        assertTrue(local.contains("listen_addr = 127.0.0.1\n"), local);
        assertTrue(local.contains("listen_port = 40100\n"), local);
        assertTrue(local.contains("auth_file = /tmp/pod/volumes/config/userlist.txt\n"), local);
        assertTrue(local.contains("server_tls_ca_file = /tmp/pod/volumes/config/ca.crt\n"), local);
        assertTrue(local.contains("pool_mode = transaction"), local);
    }

    /** The pooler pod as built: its TLS files map to the tls volume, not to the config volume that is a prefix of its path. */
    @Test
    void theCertificatePathsOfTheRealPodMapToItsTlsVolume() {
        var p = new io.shopdb.operator.api.v1alpha1.PostgresPooler();
        p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("bouncer").withNamespace("shop").build());
        var spec = new io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec();
        var ref = new io.shopdb.operator.api.v1alpha1.LocalReference();
        ref.setName("shop-db");
        spec.setClusterRef(ref);
        p.setSpec(spec);
        Container container = io.shopdb.operator.pooler.PoolerObjects.deployment(p, "image", "h").getSpec().getTemplate().getSpec().getContainers().get(0);
        String ini = io.shopdb.operator.pooler.PgBouncerConfig.files(spec, "shop-db-rw.shop.svc", 5432, "SELECT 1",
                new io.shopdb.operator.pooler.PgBouncerConfig.Credentials("a", "b", "c", "d"), "ca").get("pgbouncer.ini");
        String local = PgBouncerFiles.translate(ini, container, "shop",
                Map.of("config", Path.of("/tmp/pod/volumes/config"), "tls", Path.of("/tmp/pod/volumes/tls")),
                Map.of(5432, 40100), (ns, host, port) -> new ServiceAddresses.Address("127.0.0.1", 40001));
        assertTrue(local.contains("client_tls_cert_file = /tmp/pod/volumes/tls/tls.crt\n"), local);
        assertTrue(local.contains("client_tls_key_file = /tmp/pod/volumes/tls/tls.key\n"), local);
        assertTrue(local.contains("client_tls_sslmode = require\n"), local);
        assertTrue(local.contains("server_tls_ca_file = /tmp/pod/volumes/config/ca.crt\n"), local);
    }

    @Test
    void recognisesThePgBouncerCommandOnly() {
        assertTrue(PgBouncerFiles.isPgBouncer(PGBOUNCER));
        assertTrue(PgBouncerFiles.isPgBouncer(new ContainerBuilder().withCommand("pgbouncer", "x.ini").build()));
        assertFalse(PgBouncerFiles.isPgBouncer(new ContainerBuilder().withCommand("postgres").build()));
        assertFalse(PgBouncerFiles.isPgBouncer(new ContainerBuilder().build()));
    }
}
