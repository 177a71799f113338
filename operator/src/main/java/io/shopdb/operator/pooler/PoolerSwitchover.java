package io.shopdb.operator.pooler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.access.PrimaryChanged;
import io.shopdb.operator.access.SwitchoverStarting;
import io.shopdb.operator.kube.SecretCaches;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.sql.PgBouncerConsole;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A planned switchover through the poolers: PAUSE every PgBouncer pod of the cluster's rw poolers before the
 * primary is fenced (PgBouncer lets running transactions finish, closes its server connections, and holds new
 * queries), and RESUME once the new primary is promoted and carries the -rw label: the held queries then run
 * on it. Clients see a delay, not an error. A PAUSE that does not finish in {@link #PAUSE_TIMEOUT} (a client idle
 * in a transaction) does not hold the switchover: it proceeds, and RESUME follows as usual. The pause is recorded
 * on the PostgresPooler (annotation {@link #PAUSED_ANNOTATION}, when it began), not in this process's memory: an
 * operator killed between PAUSE and RESUME leaves the record, and the next instance resumes the pooler when the
 * switchover completes or, if it never does, at the pooler's first reconcile after {@link #STALE}
 * ({@link #resumeStale}).
 * Each pod is addressed by its own DNS name (the headless Service {@code <pooler>-pods}): through the
 * pooler's Service only one of them would be paused.
 */
@ApplicationScoped
public class PoolerSwitchover {
    private static final Logger LOG = Logger.getLogger(PoolerSwitchover.class);
    static final int PAUSE_TIMEOUT = 30;
    static final Duration STALE = Duration.ofMinutes(2);

    @Inject KubernetesClient client;
    @Inject ServiceAddresses addresses;
    @Inject SecretCaches secrets;
    @Inject EventRecorder events;

    /** On a PostgresPooler whose PgBouncer pods were PAUSEd for a switchover: when (an instant, ISO-8601). */
    public static final String PAUSED_ANNOTATION = "shopdb.io/paused-for-switchover";

    void onSwitchoverStarting(@Observes SwitchoverStarting s) {
        for (PostgresPooler p : rwPoolers(s.namespace(), s.cluster())) {
            annotate(p, Instant.now().toString()); // first: a pause is never left without its record
            eachPod(p, "PAUSE", PgBouncerConsole::pause);
            events.normal(p, "Paused", "PAUSE for the switchover of " + s.cluster() + " from " + s.from() + " to " + s.to());
        }
    }

    void onPrimaryChanged(@Observes PrimaryChanged change) {
        for (PostgresPooler p : rwPoolers(change.namespace(), change.cluster())) {
            if (pausedSince(p) != null || change.planned()) {
                eachPod(p, "RESUME", PgBouncerConsole::resume);
                annotate(p, null);
                events.normal(p, "Resumed", "RESUME on the new primary " + change.to());
            } else {
                // a failover: server connections opened to the former primary would keep writing there (a hung
                // primary may come back); RECONNECT closes each as it is released and reopens it through -rw
                eachPod(p, "RECONNECT", PgBouncerConsole::reconnect);
                events.normal(p, "Reconnected", "RECONNECT: server connections reopen on the new primary " + change.to());
            }
        }
    }

    /** A pause older than {@link #STALE} whose RESUME never came (the switchover was abandoned): resumed. */
    void resumeStale(PostgresPooler p) {
        Instant since = pausedSince(p);
        if (since != null && Instant.now().isAfter(since.plus(STALE))) {
            eachPod(p, "RESUME", PgBouncerConsole::resume);
            annotate(p, null);
            events.warning(p, "Resumed", "RESUME: the switchover that paused the pooler at " + since + " did not finish in "
                    + STALE.toMinutes() + " min");
        }
    }

    /** When the pooler was paused for a switchover, from its annotation (null: not paused; a value not an instant counts as long ago). */
    static Instant pausedSince(PostgresPooler p) {
        String value = p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations().get(PAUSED_ANNOTATION);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.EPOCH; // not ours to read: treat it as long stale, so the pooler is resumed, not left paused
        }
    }

    /** Sets (an instant) or removes (null) the pause record: a merge patch of the annotation alone. */
    private void annotate(PostgresPooler p, String since) {
        String value = since == null ? "null" : "\"" + since + "\"";
        client.resources(PostgresPooler.class).inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + PAUSED_ANNOTATION + "\":" + value + "}}}");
    }

    interface Command {
        void run(PgBouncerConsole console) throws SQLException;
    }

    private void eachPod(PostgresPooler p, String what, Command command) {
        String ns = p.getMetadata().getNamespace();
        var lookup = secrets.lookup();
        List<Pod> pods = client.pods().inNamespace(ns).withLabel(PoolerObjects.POOLER_LABEL, p.getMetadata().getName()).list().getItems();
        pods.parallelStream().forEach(pod -> {
            try {
                PgBouncerConsole console = PoolerConsoles.ofPod(lookup, addresses, p, pod.getMetadata().getName(), PAUSE_TIMEOUT);
                if (console == null) {
                    return; // no console password or certificate yet: no pod has served a client either
                }
                command.run(console);
                LOG.infof("%s: %s on %s", p.getMetadata().getName(), what, pod.getMetadata().getName());
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("%s: %s on %s failed: %s", p.getMetadata().getName(), what, pod.getMetadata().getName(), Messages.firstLine(e));
            }
        });
    }

    /** Switchovers are rare: one list of the namespace's poolers then, instead of a cache kept for them. */
    private List<PostgresPooler> rwPoolers(String namespace, String cluster) {
        return client.resources(PostgresPooler.class).inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getSpec() != null && p.getSpec().getClusterRef() != null && cluster.equals(p.getSpec().getClusterRef().getName())
                        && p.getSpec().getTarget() != PostgresPoolerSpec.Target.ro)
                .toList();
    }

}
