package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerStatus;
import io.shopdb.operator.kube.PinnedImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PgBouncer runs in the operator's image: an operator upgrade alone must not roll every pooler's pods. */
class PoolerImageTest {
    static final String OLD = "ghcr.io/shopdb/shopdb-operator:1.0.0";
    static final String NEW = "ghcr.io/shopdb/shopdb-operator:1.1.0";

    @Test
    void theRunningImageStaysUntilAConfigurationChangeRollsThePodsAnyway() {
        PostgresPooler p = pooler();
        Deployment existing = PoolerObjects.deployment(p, OLD, "config-1");
        p.setStatus(new PostgresPoolerStatus());
        p.getStatus().setImage(OLD);
        assertEquals(OLD, PoolerObjects.deployment(p, existing, NEW, "config-1").image(), "an upgrade alone: the same pods");
        assertEquals(existing.getSpec().getTemplate(), PoolerObjects.deployment(p, PoolerObjects.deployment(p, existing, NEW, "config-1").image(), "config-1")
                .getSpec().getTemplate(), "so the Deployment's template is unchanged");
        assertEquals(NEW, PoolerObjects.deployment(p, existing, NEW, "config-2").image(), "a new configuration rolls the pods: they take the new image");
        assertEquals(NEW, PoolerObjects.deployment(pooler(), null, NEW, "config-1").image(), "a new pooler runs today's image");
    }

    @Test
    void aPoolerMadeBeforePinningKeepsWhatItsPodsRun() {
        Deployment unstamped = PoolerObjects.deployment(pooler(), OLD, "config-1");
        unstamped.getMetadata().getAnnotations().remove(PinnedImage.TEMPLATE_HASH);
        assertEquals(OLD, PoolerObjects.deployment(pooler(), unstamped, NEW, "config-1").image());
    }

    static PostgresPooler pooler() {
        PostgresPooler p = new PostgresPooler();
        p.setMetadata(new ObjectMetaBuilder().withName("shop-bouncer").withNamespace("shop").withUid("u-1").build());
        PostgresPoolerSpec spec = new PostgresPoolerSpec();
        LocalReference ref = new LocalReference();
        ref.setName("shop-db");
        spec.setClusterRef(ref);
        p.setSpec(spec);
        return p;
    }
}
