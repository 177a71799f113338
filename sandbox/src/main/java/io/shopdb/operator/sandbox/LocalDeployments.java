package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Deployment controller, reduced to what the poolers use, and without ReplicaSets: pods are owned by the
 * Deployment directly and named {@code <deployment>-<pod-template-hash>-<n>} (a real cluster puts a ReplicaSet
 * {@code <deployment>-<hash>} between them, with random pod suffixes). Rolling update as maxSurge 1 /
 * maxUnavailable 0 does it: a pod of the new template is created, and one old pod goes only when every new one
 * is ready; scale down removes the highest index first. Status: replicas, updatedReplicas, readyReplicas,
 * availableReplicas, observedGeneration, and the Available/Progressing conditions' summary is left out.
 */
final class LocalDeployments {
    private static final Logger LOG = Logger.getLogger(LocalDeployments.class);
    static final String HASH_LABEL = "pod-template-hash";

    private final KubernetesClient client;

    LocalDeployments(KubernetesClient client) {
        this.client = client;
    }

    void sync() {
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            if (d.getMetadata().getDeletionTimestamp() == null) {
                sync(d);
            }
        }
    }

    private void sync(Deployment d) {
        String ns = d.getMetadata().getNamespace();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String hash = templateHash(d);
        List<Pod> pods = client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getMetadata().getOwnerReferences() != null
                        && p.getMetadata().getOwnerReferences().stream().anyMatch(r -> d.getMetadata().getUid().equals(r.getUid())))
                .toList();
        List<Pod> current = new ArrayList<>(pods.stream().filter(p -> hash.equals(label(p))).toList());
        List<Pod> old = new ArrayList<>(pods.stream().filter(p -> !hash.equals(label(p))).toList());
        current.sort(java.util.Comparator.comparing(p -> p.getMetadata().getName()));
        if (current.size() < replicas && (old.isEmpty() || current.stream().allMatch(LocalKubelet::isReady))) {
            // surge by one while old pods remain; all at once when there is nothing to replace
            int missing = old.isEmpty() ? replicas - current.size() : 1;
            for (int i = 0, n = 0; n < missing; i++) {
                String name = d.getMetadata().getName() + "-" + hash + "-" + i;
                if (current.stream().noneMatch(p -> p.getMetadata().getName().equals(name))) {
                    client.resource(newPod(d, name, hash)).create();
                    n++;
                }
            }
        } else if (current.size() > replicas) {
            client.resource(current.get(current.size() - 1)).delete();
        }
        boolean newReady = current.size() >= replicas && current.stream().limit(replicas).allMatch(LocalKubelet::isReady);
        if (!old.isEmpty() && (newReady || current.stream().filter(LocalKubelet::isReady).count() + old.stream().filter(LocalKubelet::isReady).count() > replicas)) {
            LOG.infof("sandbox: rolling %s/%s: deleting %s", ns, d.getMetadata().getName(), old.get(0).getMetadata().getName());
            client.resource(old.get(0)).delete();
        }
        int ready = (int) pods.stream().filter(LocalKubelet::isReady).count();
        int updated = current.size();
        var s = d.getStatus();
        Long generation = d.getMetadata().getGeneration();
        if (s == null || !Objects.equals(s.getReplicas(), pods.size()) || !Objects.equals(s.getReadyReplicas(), ready)
                || !Objects.equals(s.getUpdatedReplicas(), updated) || !Objects.equals(s.getObservedGeneration(), generation)) {
            client.apps().deployments().inNamespace(ns).withName(d.getMetadata().getName()).editStatus(x -> {
                x.setStatus(new DeploymentStatusBuilder().withReplicas(pods.size()).withReadyReplicas(ready).withAvailableReplicas(ready)
                        .withUpdatedReplicas(updated).withUnavailableReplicas(Math.max(0, replicas - ready))
                        .withObservedGeneration(generation).build());
                return x;
            });
        }
    }

    private static String label(Pod p) {
        return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(HASH_LABEL);
    }

    private static Pod newPod(Deployment d, String name, String hash) {
        Map<String, String> labels = new HashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(HASH_LABEL, hash);
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase("Pending").endStatus()
                .build();
    }

    /** Like pod-template-hash: changes when the pod template changes. */
    static String templateHash(Deployment d) {
        try {
            String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(d.getSpec().getTemplate());
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)), 0, 5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
