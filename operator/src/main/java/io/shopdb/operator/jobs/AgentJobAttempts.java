package io.shopdb.operator.jobs;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.AgentRunStatus;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one lifecycle of an agent Job, for backups, restores and restore drills: create attempt n → wait (Jobs and
 * their pods come from informers registered by {@link #eventSources}, never a GET per reconcile) → report a pod that
 * cannot start (kube/PodProblems) while it waits → on failure, a new Job for a retryable exit code, up to
 * {@link Plan#retries()} → else give up with the agent's reason. The attempt number, Job name, start time and last
 * failure are written to an {@link AgentRunStatus}; the finish time is always the Job's ({@link JobView#finishedAt}).
 * Events: {@code <action>Started} and {@code <action>Retrying} per Job actually created; verdict Events are StatusWriter's.
 */
@ApplicationScoped
public class AgentJobAttempts {
    @Inject EventRecorder events;

    /** Builds the Job of an attempt; throws while what it needs (a Ready cluster) is not there yet. */
    @FunctionalInterface
    public interface JobFactory {
        Job build(String jobName) throws ClusterAccess.WaitingException;
    }

    /**
     * What to run. {@code action} names Events and the running reason (Backup → BackupStarted, BackupRunning);
     * Job names are {@code <base>-<suffix>-<attempt>}; {@code what} completes "Job x ..." in the Started Event.
     */
    public record Plan(String action, String base, String suffix, int retries, String what, JobFactory factory) {
        public String jobName(int attempt) {
            return AgentJobs.jobName(base, suffix + "-" + attempt);
        }
    }

    /** Where an attempt stands: still in progress (with the outcome to report), or finished (succeeded or failed). */
    public record Step(Outcome inProgress, AgentSummary summary, AgentResults.Failure failure, String finishedAt) {
        public boolean running() { return inProgress != null; }
        public boolean failed() { return failure != null; }
    }

    /** The Jobs this controller's resources own, and their pods: both selected by owner kind, mapped by label/owner. */
    public static <P extends HasMetadata> List<EventSource<?, P>> eventSources(Class<P> owner, EventSourceContext<P> context) {
        String selector = AgentJobs.OWNER_KIND_LABEL + "=" + HasMetadata.getKind(owner);
        var jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, owner)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(owner)).build(), context);
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, owner)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(p -> p.getMetadata().getLabels() == null || !p.getMetadata().getLabels().containsKey(AgentJobs.OWNER_LABEL)
                        ? Set.of() : Set.of(new ResourceID(p.getMetadata().getLabels().get(AgentJobs.OWNER_LABEL), p.getMetadata().getNamespace())))
                .build(), context);
        return List.of(jobs, pods);
    }

    /** Moves the run one step: start, wait, retry, or finish. */
    public <P extends HasMetadata> Step advance(P owner, Context<P> context, AgentRunStatus run, Plan plan) {
        int attempt = run.getAttempts() == null ? 0 : run.getAttempts();
        if (attempt == 0) {
            return start(owner, context, run, plan, 1, null);
        }
        Job job = job(context, run.getJobName());
        if (job == null) {
            return start(owner, context, run, plan, attempt, null); // deleted by someone, or not in the cache yet: same attempt
        }
        JobView seen = JobView.of(job, pods(context, job));
        switch (seen.state()) {
            case RUNNING:
                if (seen.podProblem() != null) {
                    return progress(Outcome.reconciling(seen.podProblem().reason(), "Job " + job.getMetadata().getName() + " (attempt "
                            + attempt + "): its pod cannot start: " + seen.podProblem().message()));
                }
                return progress(running(plan, run));
            case SUCCEEDED:
                run.setLastFailure(null);
                return new Step(null, AgentSummary.parse(seen.message()), null, seen.finishedAt());
            default:
                AgentResults.Failure f = seen.failure();
                run.setLastFailure(f.reason() + ": " + f.message());
                if (f.retryable() && attempt <= plan.retries()) {
                    return start(owner, context, run, plan, attempt + 1, f.message());
                }
                return new Step(null, AgentSummary.parse(seen.message()), f, seen.finishedAt());
        }
    }

    /** How a named Job stands, from the caches (null when there is no such Job). */
    public <P extends HasMetadata> JobView observe(Context<P> context, String jobName) {
        Job job = job(context, jobName);
        return job == null ? null : JobView.of(job, pods(context, job));
    }

    /** Creates a Job unless it exists (a 409 is the Job of an earlier reconcile); true when this call created it. */
    public <P extends HasMetadata> boolean create(Context<P> context, Job job) {
        if (job(context, job.getMetadata().getName()) != null) {
            return false;
        }
        try {
            @SuppressWarnings("unchecked")
            var source = (InformerEventSource<Job, P>) context.eventSourceRetriever().getEventSourceFor(Job.class);
            context.resourceOperations().create(job, source); // the cache sees it at once: no duplicate on the next reconcile
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes a Job and, in the background, its pods. */
    public <P extends HasMetadata> void delete(Context<P> context, String namespace, String name) {
        context.getClient().batch().v1().jobs().inNamespace(namespace).withName(name)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    private <P extends HasMetadata> Step start(P owner, Context<P> context, AgentRunStatus run, Plan plan, int attempt, String afterFailure) {
        String jobName = plan.jobName(attempt);
        Job job;
        try {
            job = plan.factory().build(jobName);
        } catch (ClusterAccess.WaitingException e) {
            return progress(e.outcome());
        }
        if (create(context, job)) {
            // one Event per Job actually created: while the cluster is not Ready, reconciles repeat without Events
            if (afterFailure == null) {
                events.normal(owner, plan.action() + "Started", "Job " + jobName + " " + plan.what());
            } else {
                events.warning(owner, plan.action() + "Retrying", "Attempt " + (attempt - 1) + " failed (" + afterFailure + "); Job "
                        + jobName + " is attempt " + attempt);
            }
        }
        run.setAttempts(attempt);
        run.setJobName(jobName);
        if (run.getStartTime() == null) {
            run.setStartTime(Instant.now().toString());
        }
        return progress(running(plan, run));
    }

    private static Outcome running(Plan plan, AgentRunStatus run) {
        return Outcome.reconciling(plan.action() + "Running", "Job " + run.getJobName() + " (attempt " + run.getAttempts() + ") is running");
    }

    private static Step progress(Outcome outcome) {
        return new Step(outcome, null, null, null);
    }

    private static <P extends HasMetadata> Job job(Context<P> context, String name) {
        return name == null ? null : context.getSecondaryResourcesAsStream(Job.class)
                .filter(j -> name.equals(j.getMetadata().getName())).findFirst().orElse(null);
    }

    private static <P extends HasMetadata> List<Pod> pods(Context<P> context, Job job) {
        return context.getSecondaryResourcesAsStream(Pod.class)
                .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Objects.equals(o.getUid(), job.getMetadata().getUid())))
                .toList();
    }
}
