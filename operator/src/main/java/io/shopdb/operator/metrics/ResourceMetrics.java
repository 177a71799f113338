package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.ReconcileReport;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * shopdb_resources{kind,condition} from the informer caches (so deletions count), and per resource the time of
 * the last reconcile that ended Ready plus since when it is Ready, from the StatusWriter's reports. Per-resource
 * series are bounded by the number of resources and pruned when a resource leaves the cache.
 */
@ApplicationScoped
public class ResourceMetrics {
    static final String RESOURCES = "shopdb_resources";
    static final String LAST_SUCCESS = "shopdb_last_successful_reconcile_timestamp_seconds";
    static final String READY_SINCE = "shopdb_ready_since_timestamp_seconds";
    static final String CERTIFICATE_EXPIRY = "shopdb_cluster_certificate_expiry_timestamp_seconds";
    static final String STALLED = "shopdb_resource_stalled";
    static final List<String> KINDS = List.of("PostgresCluster", "PostgresDatabase", "PostgresRole", "PostgresMigration",
            "PostgresBackup", "PostgresBackupSchedule", "PostgresRestore", "PostgresPooler");
    static final List<String> CONDITIONS = List.of(Conditions.READY, Conditions.RECONCILING, Conditions.STALLED);

    @Inject MeterRegistry registry;
    @Inject PrimaryCaches caches;
    MeterSet meters;

    @PostConstruct
    void init() {
        meters = new MeterSet(registry);
        // Every kind x condition exists from the start (0), so an alert's "> 0" has a series to compare.
        meters.publish(s -> s.name().equals(RESOURCES), countsOf(List.of()));
    }

    void onReport(@Observes ReconcileReport report) {
        Tags tags = Tags.of("kind", report.kind(), "namespace", String.valueOf(report.namespace()), "name", report.name());
        if (report.state() == Outcome.State.READY) {
            meters.set(MeterSet.Series.gauge(LAST_SUCCESS, tags), System.currentTimeMillis() / 1000.0);
        }
        MeterSet.Series since = MeterSet.Series.gauge(READY_SINCE, tags);
        if (report.readySince() != null) {
            meters.set(since, report.readySince().getEpochSecond());
        } else {
            meters.remove(since::equals);
        }
    }

    /** Recounts from the caches and forgets resources that are gone; called by the metrics task. */
    void refresh() {
        List<HasMetadata> all = caches.all();
        meters.publish(s -> s.name().equals(RESOURCES), countsOf(all));
        meters.publish(s -> s.name().equals(CERTIFICATE_EXPIRY), certificateExpiries(all));
        meters.publish(s -> s.name().equals(STALLED), stalled(all));
        Set<Tags> present = new HashSet<>();
        for (HasMetadata r : all) {
            present.add(Tags.of("kind", r.getKind(), "namespace", String.valueOf(r.getMetadata().getNamespace()), "name", r.getMetadata().getName()));
        }
        meters.remove(s -> (s.name().equals(LAST_SUCCESS) || s.name().equals(READY_SINCE)) && !present.contains(s.tags()));
    }

    static Map<MeterSet.Series, Double> countsOf(List<HasMetadata> resources) {
        Map<MeterSet.Series, Double> counts = new HashMap<>();
        for (String kind : KINDS) {
            for (String condition : CONDITIONS) {
                counts.put(series(kind, condition), 0.0);
            }
        }
        for (HasMetadata r : resources) {
            if (r instanceof CustomResource<?, ?> cr && cr.getStatus() instanceof ShopdbStatus status) {
                for (String condition : CONDITIONS) {
                    var c = Conditions.find(status, condition);
                    if (c != null && "True".equals(c.getStatus())) {
                        counts.merge(series(r.getKind(), condition), 1.0, Double::sum);
                    }
                }
            }
        }
        return counts;
    }

    /**
     * 1 per Stalled resource, labelled with its reason, so an alert can name what stops it (an encryption key missing,
     * a checksum mismatch); a resource that is not Stalled has no series.
     */
    static Map<MeterSet.Series, Double> stalled(List<HasMetadata> resources) {
        Map<MeterSet.Series, Double> out = new HashMap<>();
        for (HasMetadata r : resources) {
            if (r instanceof CustomResource<?, ?> cr && cr.getStatus() instanceof ShopdbStatus status) {
                var c = Conditions.stalled(status);
                if (c != null) {
                    out.put(MeterSet.Series.gauge(STALLED, Tags.of("kind", r.getKind(), "namespace", String.valueOf(r.getMetadata().getNamespace()),
                            "name", r.getMetadata().getName(), "reason", String.valueOf(c.getReason()))), 1.0);
                }
            }
        }
        return out;
    }

    /** notAfter of each managed cluster's server certificate (status.tls), for the expiry alert. */
    static Map<MeterSet.Series, Double> certificateExpiries(List<HasMetadata> resources) {
        Map<MeterSet.Series, Double> out = new HashMap<>();
        for (HasMetadata r : resources) {
            if (r instanceof io.shopdb.operator.api.v1alpha1.PostgresCluster c && c.getStatus() != null && c.getStatus().getTls() != null
                    && c.getStatus().getTls().getNotAfter() != null) {
                out.put(MeterSet.Series.gauge(CERTIFICATE_EXPIRY, Tags.of("namespace", String.valueOf(c.getMetadata().getNamespace()),
                        "cluster", c.getMetadata().getName())), (double) java.time.Instant.parse(c.getStatus().getTls().getNotAfter()).getEpochSecond());
            }
        }
        return out;
    }

    private static MeterSet.Series series(String kind, String condition) {
        return MeterSet.Series.gauge(RESOURCES, Tags.of("kind", kind, "condition", condition));
    }
}
