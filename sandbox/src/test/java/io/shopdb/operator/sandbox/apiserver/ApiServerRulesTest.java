package io.shopdb.operator.sandbox.apiserver;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox API server follows kube-apiserver's rules where the operator relies on them; each test is
 * named after the rule it mirrors and drives the server through a fabric8 client, as the operator does.
 */
class ApiServerRulesTest {
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

    private static GenericKubernetesResource cluster(String name) {
        return client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: %s}
                spec: {instances: 1}
                status: {phase: Invented}
                """.formatted(name), GenericKubernetesResource.class)).create();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /** kube-apiserver: a self review is a create without a name that stores nothing; JOSDK's leader election asks one. */
    @Test
    void aSelfSubjectRulesReviewIsAnsweredWithoutANameAndNotStored() {
        var review = new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                .withNewSpec().withNamespace("default").endSpec().build();
        var answered = client.authorization().v1().selfSubjectRulesReview().create(review);
        var rule = answered.getStatus().getResourceRules().get(0);
        assertEquals(List.of("*"), rule.getVerbs());
        assertEquals(List.of("*"), rule.getResources());
        var access = client.authorization().v1().selfSubjectAccessReview().create(
                new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder().withNewSpec()
                        .withNewResourceAttributes().withVerb("create").withGroup("coordination.k8s.io").withResource("leases").endResourceAttributes()
                        .endSpec().build());
        assertTrue(access.getStatus().getAllowed());
        var get = assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> client.genericKubernetesResources("authorization.k8s.io/v1", "SelfSubjectRulesReview").list());
        assertEquals(405, get.getCode(), "nothing is stored to list");
    }

    @Test
    void stringDataIsMergedIntoDataOnCreate() {
        Secret created = client.resource(new SecretBuilder().withNewMetadata().withName("s3-create").endMetadata()
                .addToData("region", Base64.getEncoder().encodeToString("eu".getBytes(StandardCharsets.UTF_8)))
                .addToStringData("AWS_ACCESS_KEY_ID", "AKIA-test").build()).create();
        Secret stored = client.secrets().withName("s3-create").get();
        for (Secret s : List.of(created, stored)) {
            assertTrue(s.getStringData() == null || s.getStringData().isEmpty(), "stringData is write-only");
            assertEquals("AKIA-test", decode(s.getData().get("AWS_ACCESS_KEY_ID")));
            assertEquals("eu", decode(s.getData().get("region")));
        }
    }

    @Test
    void stringDataIsMergedIntoDataOnUpdateAndWinsOverData() {
        client.resource(new SecretBuilder().withNewMetadata().withName("s3-update").endMetadata()
                .addToStringData("password", "old").build()).create();
        Secret s = client.secrets().withName("s3-update").get();
        s.setStringData(Map.of("password", "new", "user", "app"));
        client.resource(s).update();
        Secret stored = client.secrets().withName("s3-update").get();
        assertTrue(stored.getStringData() == null || stored.getStringData().isEmpty());
        assertEquals("new", decode(stored.getData().get("password")));
        assertEquals("app", decode(stored.getData().get("user")));
    }

    @Test
    void generationStartsAtOneAndOnlySpecChangesBumpIt() {
        cluster("gen");
        var pgc = client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresCluster").withName("gen");
        assertEquals(1L, pgc.get().getMetadata().getGeneration());
        pgc.edit(r -> {
            r.getMetadata().setLabels(Map.of("team", "shop"));
            return r;
        });
        assertEquals(1L, pgc.get().getMetadata().getGeneration(), "metadata changes keep the generation");
        pgc.editStatus(r -> {
            r.setAdditionalProperty("status", Map.of("phase", "Ready"));
            return r;
        });
        assertEquals(1L, pgc.get().getMetadata().getGeneration(), "status changes keep the generation");
        pgc.edit(r -> {
            r.setAdditionalProperty("spec", Map.of("instances", 2));
            return r;
        });
        assertEquals(2L, pgc.get().getMetadata().getGeneration(), "a spec change bumps the generation");
    }

    @Test
    void statusSubresourceMainResourceWritesIgnoreStatus() {
        GenericKubernetesResource created = cluster("main-ignores-status");
        assertNull(created.getAdditionalProperties().get("status"), "create ignores status");
        var pgc = client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresCluster").withName("main-ignores-status");
        pgc.editStatus(r -> {
            r.setAdditionalProperty("status", Map.of("phase", "Ready"));
            return r;
        });
        pgc.edit(r -> {
            r.setAdditionalProperty("status", Map.of("phase", "Hacked"));
            r.setAdditionalProperty("spec", Map.of("instances", 3));
            return r;
        });
        GenericKubernetesResource stored = pgc.get();
        assertEquals(Map.of("phase", "Ready"), stored.getAdditionalProperties().get("status"));
        assertEquals(3, ((Map<?, ?>) stored.getAdditionalProperties().get("spec")).get("instances"));
    }

    @Test
    void statusSubresourceWritesIgnoreEverythingButStatus() {
        cluster("status-only");
        var pgc = client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresCluster").withName("status-only");
        GenericKubernetesResource r = pgc.get();
        r.setAdditionalProperty("spec", Map.of("instances", 5));
        r.getMetadata().setLabels(Map.of("sneaky", "yes"));
        r.setAdditionalProperty("status", Map.of("phase", "Ready"));
        client.resource(r).updateStatus();
        GenericKubernetesResource stored = pgc.get();
        assertEquals(Map.of("phase", "Ready"), stored.getAdditionalProperties().get("status"));
        assertEquals(1, ((Map<?, ?>) stored.getAdditionalProperties().get("spec")).get("instances"));
        assertTrue(stored.getMetadata().getLabels() == null || stored.getMetadata().getLabels().isEmpty());
    }

    @Test
    void statusOfBuiltInKindsIsAStatusSubresourceToo() {
        StatefulSet sts = client.resource(new StatefulSetBuilder().withNewMetadata().withName("sts-status").endMetadata()
                .withNewSpec().withReplicas(1).endSpec().withNewStatus().withReplicas(7).endStatus().build()).create();
        assertNull(sts.getStatus() == null ? null : sts.getStatus().getReplicas(), "create ignores status");
        client.apps().statefulSets().withName("sts-status").editStatus(s -> {
            s.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReadyReplicas(1).build());
            return s;
        });
        client.apps().statefulSets().withName("sts-status").edit(s -> {
            s.setStatus(null);
            s.getSpec().setReplicas(2);
            return s;
        });
        assertEquals(1, client.apps().statefulSets().withName("sts-status").get().getStatus().getReadyReplicas());
    }

    @Test
    void staleResourceVersionIsAConflict() {
        ConfigMap cm = client.resource(new ConfigMapBuilder().withNewMetadata().withName("cas").endMetadata().addToData("a", "1").build()).create();
        client.resource(new ConfigMapBuilder(cm).addToData("a", "2").build()).update();
        KubernetesClientException update = assertThrows(KubernetesClientException.class,
                () -> client.resource(new ConfigMapBuilder(cm).addToData("a", "3").build()).update());
        assertEquals(409, update.getCode());
        KubernetesClientException patch = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().withName("cas").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"resourceVersion\":\"" + cm.getMetadata().getResourceVersion() + "\"},\"data\":{\"a\":\"4\"}}"));
        assertEquals(409, patch.getCode());
        assertEquals("2", client.configMaps().withName("cas").get().getData().get("a"));

        GenericKubernetesResource pgc = cluster("stale-status");
        client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresCluster").withName("stale-status").edit(r -> {
            r.getMetadata().setLabels(Map.of("x", "y"));
            return r;
        });
        pgc.setAdditionalProperty("status", Map.of("phase", "Ready"));
        KubernetesClientException status = assertThrows(KubernetesClientException.class, () -> client.resource(pgc).updateStatus());
        assertEquals(409, status.getCode(), "a status write with a stale resourceVersion is a conflict too");
    }

    @Test
    void deleteOfAnObjectWithFinalizersOnlySetsDeletionTimestampUntilTheLastFinalizerGoes() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("held").withFinalizers("shopdb.io/a", "shopdb.io/b").endMetadata().build()).create();
        client.configMaps().withName("held").delete();
        ConfigMap marked = client.configMaps().withName("held").get();
        assertNotNull(marked, "finalizers hold the object");
        assertNotNull(marked.getMetadata().getDeletionTimestamp());
        // the deletion timestamp cannot be unset, and no finalizer can be added while deleting
        client.configMaps().withName("held").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"deletionTimestamp\":null}}");
        assertEquals(marked.getMetadata().getDeletionTimestamp(), client.configMaps().withName("held").get().getMetadata().getDeletionTimestamp());
        KubernetesClientException added = assertThrows(KubernetesClientException.class, () -> client.configMaps().withName("held")
                .edit(c -> new ConfigMapBuilder(c).editMetadata().addToFinalizers("shopdb.io/c").endMetadata().build()));
        assertEquals(422, added.getCode());
        client.configMaps().withName("held").edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers("shopdb.io/b").endMetadata().build());
        assertNotNull(client.configMaps().withName("held").get(), "one finalizer left");
        client.configMaps().withName("held").edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers(List.of()).endMetadata().build());
        assertNull(client.configMaps().withName("held").get(), "removing the last finalizer deletes it");
    }

    @Test
    void garbageCollectorDeletesDependentsWhoseOwnersAreAllGone() {
        ConfigMap owner = client.resource(new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build()).create();
        ConfigMap other = client.resource(new ConfigMapBuilder().withNewMetadata().withName("other-owner").endMetadata().build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("dependent").withOwnerReferences(ref(owner)).endMetadata().build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("shared").withOwnerReferences(ref(owner), ref(other)).endMetadata().build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("grandchild").withOwnerReferences(ref(client.secrets().withName("dependent").get())).endMetadata().build()).create();
        client.resource(owner).delete();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.secrets().withName("grandchild").get() == null);
        assertNull(client.secrets().withName("dependent").get());
        Secret shared = client.secrets().withName("shared").get();
        assertNotNull(shared, "an object with a live owner stays");
        assertEquals(List.of(other.getMetadata().getUid()), shared.getMetadata().getOwnerReferences().stream().map(r -> r.getUid()).toList(),
                "the dangling reference is removed");
    }

    @Test
    void garbageCollectorDeletesAnObjectCreatedWithAnOwnerThatDoesNotExist() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("orphan-at-birth").withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("v1").withKind("ConfigMap").withName("ghost").withUid("00000000-0000-0000-0000-000000000000").build()).endMetadata().build()).create();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.configMaps().withName("orphan-at-birth").get() == null);
    }

    @Test
    void crdSchemaDefaultsAreAppliedOnCreate() {
        GenericKubernetesResource backup = client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: defaults}
                spec:
                  clusterRef: {name: some-db}
                  databases: [postgres]
                  target: {pvc: {claimName: store}}
                """, GenericKubernetesResource.class)).create();
        Map<?, ?> spec = (Map<?, ?>) backup.getAdditionalProperties().get("spec");
        assertEquals("logical", spec.get("method"));
        assertEquals("Retain", spec.get("reclaimPolicy"));
    }

    @Test
    void invalidCustomResourcesAreRefusedWithUnprocessableEntity() {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: bad}
                spec: {instances: 0}
                """, GenericKubernetesResource.class)).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getMessage().contains("spec.instances"), e.getMessage());
    }

    @Test
    void dryRunWritesAreCheckedButNotStored() {
        GenericKubernetesResource answer = client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: dry}
                spec: {clusterRef: {name: some-db}, databases: [postgres], target: {pvc: {claimName: store}}}
                """, GenericKubernetesResource.class)).dryRun().create();
        assertEquals("logical", ((Map<?, ?>) answer.getAdditionalProperties().get("spec")).get("method"), "defaulted as if stored");
        assertNull(client.genericKubernetesResources("shopdb.io/v1alpha1", "PostgresBackup").withName("dry").get());
        KubernetesClientException invalid = assertThrows(KubernetesClientException.class, () -> client.resource(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: dry-bad}
                spec: {instances: 0}
                """, GenericKubernetesResource.class)).dryRun().create());
        assertEquals(422, invalid.getCode());
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference ref(io.fabric8.kubernetes.api.model.HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build();
    }
}
