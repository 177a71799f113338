package io.shopdb.operator.access;

import io.shopdb.operator.access.ExternalTls;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;
import io.shopdb.operator.api.v1alpha1.ExternalServerSpec.SslMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalTlsTest {

    private static ExternalServerSpec ext(SslMode mode, String ca) {
        var e = new ExternalServerSpec();
        e.setHost("db.example.com");
        e.setSslMode(mode);
        e.setCaSecretName(ca);
        return e;
    }

    @Test
    void withoutAModeTheServerIsVerifiedWhenACaIsGivenAndEncryptedOtherwise() {
        assertEquals("verify-full", ExternalTls.sslMode(ext(null, "rds-ca")));
        assertEquals("require", ExternalTls.sslMode(ext(null, null)));
        assertNull(ExternalTls.warning(ext(null, "rds-ca")));
        assertTrue(ExternalTls.warning(ext(null, null)).contains("spec.external.caSecretName"));
    }

    @Test
    void anExplicitModeIsKeptAndWarnedAboutWhenItDoesNotVerify() {
        assertEquals("prefer", ExternalTls.sslMode(ext(SslMode.prefer, "rds-ca")));
        assertEquals("disable", ExternalTls.sslMode(ext(SslMode.disable, null)));
        assertEquals("verify-ca", ExternalTls.sslMode(ext(SslMode.verifyCa, "rds-ca")));
        assertTrue(ExternalTls.warning(ext(SslMode.disable, null)).contains("plain text"));
        assertNull(ExternalTls.warning(ext(SslMode.verifyFull, null)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaHasNoDefaultSoTheOperatorDecides() throws Exception {
        var crd = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                java.nio.file.Files.readString(java.nio.file.Path.of("crds/postgresclusters.shopdb.io-v1.yml")),
                io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
        var external = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec")
                .getProperties().get("external");
        var sslMode = external.getProperties().get("sslMode");
        assertNull(sslMode.getDefault(), "no schema default for sslMode");
        assertEquals(6, sslMode.getEnum().size());
        assertTrue(external.getProperties().containsKey("caSecretName"));
    }
}
