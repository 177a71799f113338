package io.shopdb.operator.upgrade;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.ServerTrust;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpgradeChecksTest {

    private static PostgresCluster cluster(String yaml) {
        PostgresCluster c = Serialization.unmarshal("apiVersion: shopdb.io/v1alpha1\nkind: PostgresCluster\n" + yaml, PostgresCluster.class);
        c.getMetadata().setNamespace("shop");
        return c;
    }

    @Test
    void aTargetAtAHigherMajorSignedByTheSourcesCaIsFit() {
        PostgresCluster source = cluster("metadata: {name: shop-db}\nspec: {instances: 2}");
        PostgresCluster target = cluster("metadata: {name: shop-db-16}\nspec: {postgresVersion: \"16\", tls: {caSecretName: shop-db-ca}}");
        assertEquals(List.of(), UpgradeChecks.problems(source, target));
    }

    @Test
    void eachUnfitPairIsToldWhatToChange() {
        PostgresCluster source = cluster("metadata: {name: shop-db}\nspec: {postgresVersion: \"16\"}");
        PostgresCluster sameMajor = cluster("metadata: {name: shop-db-b}\nspec: {postgresVersion: \"16\"}");
        List<String> problems = UpgradeChecks.problems(source, sameMajor);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("must run a higher major than the source (spec.postgresVersion 16 is not above 16)"), problems.get(0));
        assertTrue(problems.get(1).contains("set spec.tls.caSecretName: shop-db-ca on shop-db-b"), problems.get(1));

        PostgresCluster external = cluster("metadata: {name: rds}\nspec: {external: {host: db.example.com, adminSecretRef: {name: a}}}");
        assertTrue(UpgradeChecks.problems(external, sameMajor).get(0).startsWith("both clusters must be managed"));

        PostgresCluster upgradedElsewhere = cluster("metadata: {name: shop-db}\nspec: {}");
        upgradedElsewhere.setStatus(new PostgresClusterStatus());
        upgradedElsewhere.getStatus().setUpgradedTo("shop-db-17");
        PostgresCluster target = cluster("metadata: {name: shop-db-16}\nspec: {postgresVersion: \"16\", tls: {caSecretName: shop-db-ca}}");
        assertEquals(List.of("the source shop-db was upgraded to shop-db-17 already (status.upgradedTo)"), UpgradeChecks.problems(upgradedElsewhere, target));
    }

    @Test
    void theSubscriptionDialsTheAddressAndVerifiesTheNameAndNoValueAddsAKeyword() {
        PgEndpoint viaProxy = new PgEndpoint("127.0.0.1", 41000, "postgres", "postgres", "p'w\\ d".toCharArray(), "verify-full",
                new ServerTrust("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", "shop-db-0.shop-db-headless.shop.svc"));
        String conninfo = Subscriptions.conninfo(viaProxy, "shop db", "/etc/shopdb-tls/ca.crt", "shopdb_upgrade_16384");
        assertEquals("host='shop-db-0.shop-db-headless.shop.svc' hostaddr='127.0.0.1' port=41000 dbname='shop db' user='postgres'"
                + " password='p\\'w\\\\ d' sslmode=verify-full sslrootcert='/etc/shopdb-tls/ca.crt' application_name='shopdb_upgrade_16384'", conninfo);

        PgEndpoint inCluster = new PgEndpoint("shop-db-0.shop-db-headless.shop.svc", 5432, "postgres", "postgres", "pw".toCharArray(),
                "verify-full", new ServerTrust("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", "shop-db-0.shop-db-headless.shop.svc"));
        assertTrue(Subscriptions.conninfo(inCluster, "shop", "/ca", "s").startsWith("host='shop-db-0.shop-db-headless.shop.svc' port=5432 "),
                "in a cluster the name is dialled itself: no hostaddr");
    }
}
