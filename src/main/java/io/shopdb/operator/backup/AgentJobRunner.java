package io.shopdb.operator.backup;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;

/**
 * Creates agent Jobs and reads how they ended: the Job's Complete/Failed condition, and from its pod the
 * exit code and termination message (the agent's JSON result). Reading the termination message instead of
 * pod logs keeps the operator away from the kubelet's log API and works with any log retention.
 */
@ApplicationScoped
public class AgentJobRunner {
    public enum State { RUNNING, SUCCEEDED, FAILED }

    /** How a Job stands; exitCode and message come from its last pod, when it has one that terminated. */
    public record Observed(State state, Integer exitCode, String message, String startTime, String completionTime) {}

    @Inject KubernetesClient client;

    /** An informer on Jobs that maps each Job to the resource owning it. */
    public static <P extends io.fabric8.kubernetes.api.model.HasMetadata> io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<Job, P>
            jobEvents(Class<P> owner, io.javaoperatorsdk.operator.api.reconciler.EventSourceContext<P> context) {
        return new io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<>(
                io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration.from(Job.class, owner)
                        .withSecondaryToPrimaryMapper(io.javaoperatorsdk.operator.processing.event.source.informer.Mappers.fromOwnerReferences(owner))
                        .build(), context);
    }

    public Job get(String namespace, String name) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    }

    public void create(Job job) {
        client.resource(job).create();
    }

    public void delete(String namespace, String name) {
        client.batch().v1().jobs().inNamespace(namespace).withName(name).withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    public Observed observe(Job job) {
        var status = job.getStatus();
        State state = State.RUNNING;
        if (status != null && status.getConditions() != null) {
            for (var c : status.getConditions()) {
                if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                    state = State.SUCCEEDED;
                } else if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                    state = State.FAILED;
                }
            }
        }
        Integer exit = null;
        String message = null;
        if (state != State.RUNNING) {
            List<Pod> pods = client.pods().inNamespace(job.getMetadata().getNamespace())
                    .withLabel("controller-uid", job.getMetadata().getUid()).list().getItems();
            Pod last = pods.stream().filter(p -> terminated(p) != null)
                    .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()))
                    .orElse(null);
            if (last != null) {
                exit = terminated(last).getExitCode();
                message = terminated(last).getMessage();
            }
        }
        return new Observed(state, exit, message, status == null ? null : status.getStartTime(),
                status == null ? null : status.getCompletionTime());
    }

    private static io.fabric8.kubernetes.api.model.ContainerStateTerminated terminated(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty()) {
            return null;
        }
        var state = p.getStatus().getContainerStatuses().get(0).getState();
        return state == null ? null : state.getTerminated();
    }
}
