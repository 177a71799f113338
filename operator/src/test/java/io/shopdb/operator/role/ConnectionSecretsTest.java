package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection Secret's keys: the pooler keys verify the server as the direct keys do. */
class ConnectionSecretsTest {
    private static final String CA = CertificateAuthority.generate("shop-db-ca", Duration.ofDays(10), Instant.now()).certificatePem();

    @Test
    void poolerKeysVerifyThePoolerLikeTheDirectKeysVerifyTheCluster() {
        var secret = ConnectionSecrets.build(role(), "shop-db-rw.shop.svc", "5432", "shop", "shop_app", "p@ss w".toCharArray(), Map.of(),
                "verify-full", CA, List.of(new ConnectionSecrets.Pooler("pooler-", "bouncer.shop.svc", 5432, true),
                        new ConnectionSecrets.Pooler("pooler-ro-", "bouncer-ro.shop.svc", 5432, false)));
        String ca = "&sslfactory=org.postgresql.ssl.SingleCertValidatingFactory&sslfactoryarg=" + URLEncoder.encode(CA.strip(), StandardCharsets.UTF_8).replace("+", "%20");

        assertEquals("postgresql://shop_app:p%40ss%20w@shop-db-rw.shop.svc:5432/shop?sslmode=verify-full", value(secret, "uri"));
        assertEquals("jdbc:postgresql://shop-db-rw.shop.svc:5432/shop?user=shop_app&password=p%40ss%20w&sslmode=verify-full" + ca,
                value(secret, "jdbc-uri"));
        assertEquals(CA, value(secret, "ca.crt"), "libpq's sslrootcert for either key");

        assertEquals("bouncer.shop.svc", value(secret, "pooler-host"));
        assertEquals("postgresql://shop_app:p%40ss%20w@bouncer.shop.svc:5432/shop?sslmode=verify-full", value(secret, "pooler-uri"));
        assertEquals("jdbc:postgresql://bouncer.shop.svc:5432/shop?user=shop_app&password=p%40ss%20w&sslmode=verify-full" + ca
                + "&prepareThreshold=0", value(secret, "pooler-jdbc-uri"), "transaction mode: no server-side prepared statements");
        assertEquals("postgresql://shop_app:p%40ss%20w@bouncer-ro.shop.svc:5432/shop?sslmode=verify-full", value(secret, "pooler-ro-uri"));
        assertEquals("jdbc:postgresql://bouncer-ro.shop.svc:5432/shop?user=shop_app&password=p%40ss%20w&sslmode=verify-full" + ca,
                value(secret, "pooler-ro-jdbc-uri"), "session mode");
        secret.getData().forEach((k, v) -> assertFalse(new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8)
                .contains("sslmode=disable"), k));
    }

    @Test
    void withoutTlsSettingsTheUrisSayNothingOfTls() {
        var secret = ConnectionSecrets.build(role(), "db.example.com", "5432", "shop", "shop_app", "pw".toCharArray(), Map.of());
        assertEquals("postgresql://shop_app:pw@db.example.com:5432/shop", value(secret, "uri"));
        assertEquals("jdbc:postgresql://db.example.com:5432/shop?user=shop_app&password=pw", value(secret, "jdbc-uri"));
        assertTrue(secret.getData().get("ca.crt") == null && secret.getData().get("sslmode") == null);
    }

    private static String value(io.fabric8.kubernetes.api.model.Secret s, String key) {
        return GeneratedSecrets.value(s, key);
    }

    private static PostgresRole role() {
        PostgresRole r = new PostgresRole();
        r.setMetadata(new ObjectMetaBuilder().withName("shop-app").withNamespace("shop").build());
        return r;
    }
}
