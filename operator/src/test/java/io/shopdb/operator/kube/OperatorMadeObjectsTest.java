package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.cluster.ClusterObjects;
import io.shopdb.operator.pooler.PoolerObjects;
import io.shopdb.operator.role.ConnectionSecrets;
import io.shopdb.operator.tls.CertificateAuthority;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Secret and ConfigMap the operator makes carries app.kubernetes.io/managed-by: shopdb-operator, the label its
 * informers select (kube/CachedObjects): one made without it would be missing from the caches. The builders add it
 * even when a caller's labels forget it, which is what these callers-that-forget check.
 */
class OperatorMadeObjectsTest {
    private static final Map<String, String> FORGETFUL = Map.of("shopdb.io/role", "app");

    @Test
    void theSelectorIsTheLabelTheBuildersWrite() {
        assertEquals(CachedObjects.MANAGED_BY_LABEL + "=" + CachedObjects.MANAGED_BY, CachedObjects.MADE_BY_OPERATOR);
        assertEquals(CachedObjects.MANAGED_BY, ClusterNames.MANAGED_BY);
    }

    @Test
    void generatedCredentialsAreLabelled() {
        var secret = GeneratedSecrets.secret("shop", "app-password", FORGETFUL, List.of(), "app", "pw".toCharArray());
        assertMadeByOperator(secret);
        assertEquals("app", secret.getMetadata().getLabels().get("shopdb.io/role"), "the caller's labels stay");
    }

    @Test
    void aRolesConnectionSecretIsLabelled() {
        assertMadeByOperator(ConnectionSecrets.build(role(), "shop-db-rw.shop.svc", "5432", "shop", "app", "pw".toCharArray(), FORGETFUL));
    }

    @Test
    void aPoolersConfigurationSecretIsLabelled() {
        assertMadeByOperator(PoolerObjects.config(pooler(), Map.of("pgbouncer.ini", "[databases]\n")));
    }

    @Test
    void certificatesAreLabelled() {
        Instant now = Instant.now();
        var ca = CertificateAuthority.generate("shop-db-ca", Duration.ofDays(10), now);
        var plan = ClusterTlsSecrets.plan(ca, new ClusterTlsSecrets.Issue(cluster(), FORGETFUL, "shop-db-server-tls",
                List.of("shop-db-rw.shop.svc")), null, now);
        assertMadeByOperator(plan.write());
    }

    @Test
    void theClustersConfigMapIsLabelled() {
        assertMadeByOperator(ClusterObjects.config(cluster()));
    }

    private static void assertMadeByOperator(HasMetadata o) {
        assertTrue(CachedObjects.isMadeByOperator(o), o.getKind() + " " + o.getMetadata().getName() + " carries "
                + o.getMetadata().getLabels() + ", not " + CachedObjects.MADE_BY_OPERATOR);
    }

    private static PostgresCluster cluster() {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName("shop-db").withNamespace("shop").withUid("uid-1").build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(1);
        c.setSpec(spec);
        return c;
    }

    private static PostgresRole role() {
        var r = new PostgresRole();
        r.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("shop").withUid("uid-2").build());
        return r;
    }

    private static PostgresPooler pooler() {
        var p = new PostgresPooler();
        p.setMetadata(new ObjectMetaBuilder().withName("shop-bouncer").withNamespace("shop").withUid("uid-3").build());
        var spec = new PostgresPoolerSpec();
        spec.setClusterRef(new LocalReference("shop-db"));
        p.setSpec(spec);
        return p;
    }
}
