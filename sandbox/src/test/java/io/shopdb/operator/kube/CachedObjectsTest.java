package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's Secret or ConfigMap read by GET (no cache holds it) is labelled so the label-selected informers hold it
 * from then on; the operator's own objects and missing ones are left alone. Against the sandbox API, as the
 * operator's client would see it; that the label brings the object into the informers is DatabaseRoleOperatorTest's.
 */
class CachedObjectsTest {
    private static EmbeddedApiServer api;
    private static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        api = EmbeddedApiServer.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    @Test
    void aUsersSecretReadTheFirstTimeIsLabelledAndKeepsItsLabelsAndData() {
        client.resource(new SecretBuilder().withNewMetadata().withName("app-given").withNamespace("default")
                .addToLabels("team", "checkout").endMetadata().addToStringData("password", "s3cret").build()).create();
        Secret read = CachedObjects.read(client, Secret.class, "default", "app-given");
        assertTrue(CachedObjects.isReferenced(read), "the answer carries the label");
        Secret stored = client.secrets().inNamespace("default").withName("app-given").get();
        assertEquals(Map.of("team", "checkout", CachedObjects.REFERENCED_LABEL, "true"), stored.getMetadata().getLabels());
        assertEquals("s3cret", new String(SecretLookup.value(stored, "password")), "a label patch only");
        String version = stored.getMetadata().getResourceVersion();
        CachedObjects.read(client, Secret.class, "default", "app-given");
        assertEquals(version, client.secrets().inNamespace("default").withName("app-given").get().getMetadata().getResourceVersion(),
                "labelled once: the next read writes nothing");
    }

    @Test
    void aMigrationsConfigMapIsLabelledToo() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("scripts").withNamespace("default").endMetadata()
                .addToData("V1__init.sql", "CREATE TABLE t (id int);").build()).create();
        ConfigMap read = CachedObjects.get(List.of(), client, ConfigMap.class, "default", "scripts");
        assertEquals("CREATE TABLE t (id int);", read.getData().get("V1__init.sql"));
        assertTrue(CachedObjects.isReferenced(client.configMaps().inNamespace("default").withName("scripts").get()));
    }

    @Test
    void theOperatorsOwnSecretIsNotLabelledAndAMissingOneIsNull() {
        client.resource(GeneratedSecrets.secret("default", "db-superuser", Map.of(), List.of(), "postgres", "pw".toCharArray())).create();
        Secret own = CachedObjects.read(client, Secret.class, "default", "db-superuser");
        assertEquals(Map.of(CachedObjects.MANAGED_BY_LABEL, CachedObjects.MANAGED_BY), own.getMetadata().getLabels(),
                "already in the operator-made informer: no second label");
        assertNull(CachedObjects.read(client, Secret.class, "default", "nobody-made-this"));
    }
}
