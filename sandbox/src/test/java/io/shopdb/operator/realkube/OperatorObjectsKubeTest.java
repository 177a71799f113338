package io.shopdb.operator.realkube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.backup.AgentRequests;
import io.shopdb.operator.cluster.ClusterNetworkPolicy;
import io.shopdb.operator.cluster.ClusterObjects;
import io.shopdb.operator.cluster.InstanceSetBuilder;
import io.shopdb.operator.cluster.NetworkPolicyConfig;
import io.shopdb.operator.jobs.AgentJobs;
import io.shopdb.operator.pooler.PoolerObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core objects the operator builds (the shop's StatefulSet, Services, ConfigMap, disruption budgets and
 * NetworkPolicy, a pooler's Deployment, a backup Job) are created for real in a namespace that enforces the
 * restricted Pod Security standard: kube-apiserver validates each object (the embedded server checks none of
 * them), and the real StatefulSet, ReplicaSet and Job controllers create their pods, which Pod Security admits
 * or refuses. No node runs them here; that they exist is the point.
 */
class OperatorObjectsKubeTest {
    static final String NS = "objects-restricted";
    static KubernetesClient admin;

    @BeforeAll
    static void connect() throws Exception {
        RealControlPlane real = RealControlPlane.get();
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(real.kubeconfig()))).build();
        Path work = Files.createTempDirectory("objects-");
        ChartPermissionsResource.check(real.kubectl(work).run("apply", "-f", "crds/"));
        ChartPermissionsResource.check(real.kubectl(work).run("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"));
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest").endMetadata().build()).create();
    }

    @AfterAll
    static void close() {
        if (admin != null) {
            admin.namespaces().withName(NS).delete();
            admin.close();
        }
    }

    @Test
    void theShopsObjectsAreValidAndTheirPodsPassRestrictedPodSecurity() throws Exception {
        PostgresCluster cluster = create(Serialization.unmarshal(Files.readString(Path.of("examples/shop/00-cluster.yaml")), PostgresCluster.class));
        List<HasMetadata> objects = new ArrayList<>(List.of(
                ClusterObjects.config(cluster), ClusterObjects.headless(cluster),
                ClusterObjects.roleService(cluster, cluster.getMetadata().getName() + "-rw", "primary"),
                ClusterObjects.disruptionBudget(cluster), ClusterObjects.primaryDisruptionBudget(cluster),
                ClusterNetworkPolicy.build(cluster, new NetworkPolicyConfig() {
                    public boolean enabled() { return true; }
                    public Optional<String> operatorNamespace() { return Optional.of("shopdb-system"); }
                    public String operatorName() { return "shopdb-operator"; }
                }),
                InstanceSetBuilder.build(cluster)));
        PostgresPooler pooler = create(Serialization.unmarshal(Files.readString(Path.of("examples/shop/40-pooler.yaml")), PostgresPooler.class));
        objects.add(PoolerObjects.deployment(pooler, "registry.example/shopdb-operator:1.0", "hash"));
        PostgresBackup backup = create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresBackup
                metadata: {name: nightly}
                spec:
                  clusterRef: {name: %s}
                  method: logical
                  databases: [shop]
                  target: {pvc: {claimName: backups}}
                """.formatted(cluster.getMetadata().getName()), PostgresBackup.class));
        var server = AgentJobs.server(cluster);
        objects.add(AgentJobs.build(backup, "nightly-1", "registry.example/shopdb-operator:1.0", server, backup.getSpec().getTarget(),
                AgentRequests.backup(backup.getSpec(), AgentRequests.backupId(backup), server)));

        for (HasMetadata o : objects) {
            o.getMetadata().setNamespace(NS);
            admin.resource(o).create(); // throws with kube-apiserver's reasons when an object is invalid
        }

        String instance0 = cluster.getMetadata().getName() + "-0";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> pods = admin.pods().inNamespace(NS).list().getItems().stream().map(p -> p.getMetadata().getName()).toList();
            assertTrue(pods.contains(instance0), "the StatefulSet controller made " + instance0 + ": " + pods + "; " + refusals());
            assertTrue(pods.stream().anyMatch(p -> p.startsWith("nightly-1-")), "the Job controller made the backup pod: " + pods + "; " + refusals());
            assertTrue(pods.stream().anyMatch(p -> p.startsWith(PoolerObjects.deployment(pooler) + "-")), "the Deployment's pods: " + pods + "; " + refusals());
        });
        assertEquals("", refusals(), "no controller was refused a pod");
        Pod pod = admin.pods().inNamespace(NS).withName(instance0).get();
        assertEquals(Boolean.TRUE, pod.getSpec().getSecurityContext().getRunAsNonRoot());
    }

    /** FailedCreate events: a controller's pod that admission refused, with the reason. */
    private static String refusals() {
        return String.join("; ", admin.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "FailedCreate".equals(e.getReason())).map(e -> e.getInvolvedObject().getName() + ": " + e.getMessage()).toList());
    }

    private static <T extends HasMetadata> T create(T resource) {
        resource.getMetadata().setNamespace(NS);
        return admin.resource(resource).create();
    }
}
