package io.shopdb.operator.metrics;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.kube.SecretCaches;
import io.shopdb.operator.kube.ServiceAddresses;
import io.shopdb.operator.pooler.PoolerConsoles;
import io.shopdb.operator.pooler.PoolerObjects;
import io.shopdb.operator.pooler.PoolerTls;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shopdb.operator.metrics.MeterSet.Series.counter;
import static io.shopdb.operator.metrics.MeterSet.Series.gauge;

/**
 * shopdb_pgbouncer_* series of every PgBouncer pod of every pooler (labels namespace, pooler, pod, and database /
 * user per pool), from its console's SHOW POOLS and SHOW STATS, taken by the metrics task (leader only) like
 * the cluster snapshots: a scrape never reaches a pooler. Each pod by its own DNS name (headless Service
 * {@code <pooler>-pods}); the pods are listed once per pooler and tick. The list is docs/metrics.md.
 */
@ApplicationScoped
public class PoolerMetrics {
    private static final Logger LOG = Logger.getLogger(PoolerMetrics.class);
    static final String UP = "shopdb_pgbouncer_up";

    @Inject MeterRegistry registry;
    @Inject KubernetesClient client;
    @Inject ServiceAddresses addresses;
    @Inject SecretCaches secrets;
    MeterSet meters;

    @PostConstruct
    void init() {
        meters = new MeterSet(registry);
    }

    void refresh(List<PostgresPooler> poolers) {
        Set<String> seen = new java.util.HashSet<>();
        for (PostgresPooler p : poolers) {
            String ns = p.getMetadata().getNamespace();
            seen.add(ns + "/" + p.getMetadata().getName());
            var lookup = secrets.lookup();
            if (lookup.get(ns, PoolerObjects.adminSecret(p)) == null || lookup.get(ns, PoolerTls.secret(p)) == null) {
                continue; // no console password or certificate yet
            }
            Map<MeterSet.Series, Double> next = new HashMap<>();
            for (Pod pod : client.pods().inNamespace(ns).withLabel(PoolerObjects.POOLER_LABEL, p.getMetadata().getName()).list().getItems()) {
                Tags base = Tags.of("namespace", ns, "pooler", p.getMetadata().getName(), "pod", pod.getMetadata().getName());
                try {
                    var console = PoolerConsoles.ofPod(lookup, addresses, p, pod.getMetadata().getName(), 10);
                    if (console == null) {
                        throw new IllegalStateException("no console password or certificate");
                    }
                    next.putAll(series(base, console.show("POOLS"), console.show("STATS")));
                    next.put(gauge(UP, base), 1.0);
                } catch (Exception e) {
                    LOG.debugf("pooler metrics of %s failed: %s", pod.getMetadata().getName(), e.getMessage());
                    next.put(gauge(UP, base), 0.0);
                }
            }
            meters.publish(s -> ns.equals(tag(s, "namespace")) && p.getMetadata().getName().equals(tag(s, "pooler")), next);
        }
        meters.remove(s -> !seen.contains(tag(s, "namespace") + "/" + tag(s, "pooler")));
    }

    /** The series of one pod from its SHOW POOLS and SHOW STATS rows (the console database pgbouncer left out). */
    static Map<MeterSet.Series, Double> series(Tags base, List<Map<String, String>> pools, List<Map<String, String>> stats) {
        Map<MeterSet.Series, Double> out = new HashMap<>();
        for (Map<String, String> r : pools) {
            if ("pgbouncer".equals(r.get("database"))) {
                continue;
            }
            Tags t = base.and("database", r.get("database"), "user", r.get("user"));
            out.put(gauge("shopdb_pgbouncer_clients_active", t), num(r, "cl_active"));
            out.put(gauge("shopdb_pgbouncer_clients_waiting", t), num(r, "cl_waiting"));
            for (String state : List.of("active", "idle", "used", "tested", "login")) {
                out.put(gauge("shopdb_pgbouncer_server_connections", t.and("state", state)), num(r, "sv_" + state));
            }
            out.put(gauge("shopdb_pgbouncer_max_wait_seconds", t), num(r, "maxwait") + num(r, "maxwait_us") / 1e6);
        }
        for (Map<String, String> r : stats) {
            if ("pgbouncer".equals(r.get("database"))) {
                continue;
            }
            Tags t = base.and("database", r.get("database"));
            out.put(counter("shopdb_pgbouncer_transactions", t), num(r, "total_xact_count"));
            out.put(counter("shopdb_pgbouncer_queries", t), num(r, "total_query_count"));
            out.put(gauge("shopdb_pgbouncer_transactions_per_second", t), num(r, "avg_xact_count"));
            out.put(gauge("shopdb_pgbouncer_average_wait_seconds", t), num(r, "avg_wait_time") / 1e6);
        }
        return out;
    }

    Map<MeterSet.Series, Double> current() {
        return meters.snapshot();
    }

    private static double num(Map<String, String> row, String column) {
        String v = row.get(column);
        try {
            return v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String tag(MeterSet.Series s, String key) {
        return s.tags().stream().filter(x -> x.getKey().equals(key)).findFirst().map(io.micrometer.core.instrument.Tag::getValue).orElse(null);
    }
}
