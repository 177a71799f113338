package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The Job controller, reduced to what the agent Jobs use: one pod at a time from the template (labels
 * job-name and controller-uid, owner reference to the Job); a failed pod is replaced until
 * {@code backoffLimit} failures (default 6) have happened; then the Job gets condition Failed, or Complete
 * when a pod succeeded, with startTime/completionTime and the succeeded/failed/active counts. No
 * parallelism, completions > 1, deadlines or pod failure policies: the operator's Jobs use none of them.
 */
final class LocalJobs {
    private static final Logger LOG = Logger.getLogger(LocalJobs.class);
    static final String JOB_NAME_LABEL = "job-name";
    static final String CONTROLLER_UID_LABEL = "controller-uid";

    private final KubernetesClient client;

    LocalJobs(KubernetesClient client) {
        this.client = client;
    }

    void sync() {
        for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
            if (job.getMetadata().getDeletionTimestamp() == null) {
                syncJob(job);
            }
        }
    }

    private void syncJob(Job job) {
        JobStatus old = job.getStatus();
        if (old != null && old.getConditions() != null && old.getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))) {
            return; // finished Jobs are left as they are, with their pods (and logs)
        }
        List<Pod> pods = client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel(CONTROLLER_UID_LABEL, job.getMetadata().getUid()).list().getItems();
        int succeeded = (int) pods.stream().filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase())).count();
        int failed = (int) pods.stream().filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())).count();
        int active = pods.size() - succeeded - failed;
        int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        String now = Instant.now().toString();
        String start = old != null && old.getStartTime() != null ? old.getStartTime() : now;
        JobStatusBuilder status = new JobStatusBuilder().withStartTime(start)
                .withActive(active == 0 ? null : active)
                .withSucceeded(succeeded == 0 ? null : succeeded)
                .withFailed(failed == 0 ? null : failed);
        if (succeeded > 0) {
            status.withCompletionTime(now).withConditions(condition("Complete", "Completed", "Job completed"));
        } else if (failed > backoffLimit) {
            status.withConditions(condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        } else if (active == 0) {
            createPod(job);
            status.withActive(1);
        }
        JobStatus next = status.build();
        if (!Objects.equals(old, next)) {
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).editStatus(j -> {
                j.setStatus(next);
                return j;
            });
        }
    }

    private static io.fabric8.kubernetes.api.model.batch.v1.JobCondition condition(String type, String reason, String message) {
        String now = Instant.now().toString();
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(now).withLastTransitionTime(now).build();
    }

    private void createPod(Job job) {
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(JOB_NAME_LABEL, job.getMetadata().getName());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        labels.put(CONTROLLER_UID_LABEL, job.getMetadata().getUid());
        labels.put("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
        String name = job.getMetadata().getName() + "-" + UUID.randomUUID().toString().substring(0, 5);
        LOG.infof("sandbox: job %s/%s starts pod %s", job.getMetadata().getNamespace(), job.getMetadata().getName(), name);
        client.resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(job.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                        .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus().withPhase("Pending").endStatus()
                .build()).create();
    }
}
