package io.shopdb.operator.pooler;

import io.shopdb.operator.access.PoolerNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.api.v1alpha1.PostgresPoolerStatus;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.ClusterEvents;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.kube.SecretCaches;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.PoolerAuth;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.status.StatusWriter;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgresPooler: validate → wait for the cluster → credentials → the certificate PgBouncer serves (PoolerTls)
 * → the lookup role and function on the server (auth_query) → PgBouncer's files → Deployment and Service →
 * report the pods. Deleting the pooler deletes
 * what it owns (garbage collection by owner references) and leaves the cluster, its roles and the lookup
 * function as they are: other poolers may use them, and they grant nothing by themselves.
 */
@ControllerConfiguration(name = "postgrespooler")
public class PostgresPoolerReconciler implements Reconciler<PostgresPooler> {
    static final String OWNED = "app.kubernetes.io/name=pgbouncer," + PoolerObjects.POOLER_LABEL;

    @Inject KubernetesClient client;
    @Inject ClusterAccess clusters;
    @Inject StatusWriter statusWriter;
    @Inject EventRecorder events;
    @Inject SecretCaches secretCaches;
    @Inject ShopdbConfig config;
    @Inject PoolerSwitchover switchover;
    /** Clusters whose template1 got the function from this process: checked once, not on every re-check (see installLookup). */
    private final Set<String> templatesDone = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The cluster (its Ready change wakes its poolers) and the owned Deployment and Service (pods ready, drift). */
    @Override
    public List<EventSource<?, PostgresPooler>> prepareEventSources(EventSourceContext<PostgresPooler> context) {
        var deployments = new InformerEventSource<>(InformerEventSourceConfiguration.from(Deployment.class, PostgresPooler.class)
                .withName("pooler-deployments").withLabelSelector(OWNED)
                .withSecondaryToPrimaryMapper((Deployment d) -> owner(d.getMetadata()))
                .build(), context);
        var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, PostgresPooler.class)
                .withName("pooler-services").withLabelSelector(OWNED)
                .withSecondaryToPrimaryMapper((Service s) -> owner(s.getMetadata()))
                .build(), context);
        return List.of(ClusterEvents.source(context, PostgresPoolerReconciler::clusterName), deployments, services);
    }

    private static Set<ResourceID> owner(io.fabric8.kubernetes.api.model.ObjectMeta m) {
        String name = m.getLabels() == null ? null : m.getLabels().get(PoolerObjects.POOLER_LABEL);
        return name == null ? Set.of() : Set.of(new ResourceID(name, m.getNamespace()));
    }

    static String clusterName(PostgresPooler p) {
        return p.getSpec() == null || p.getSpec().getClusterRef() == null ? null : p.getSpec().getClusterRef().getName();
    }

    @Override
    public UpdateControl<PostgresPooler> reconcile(PostgresPooler pooler, Context<PostgresPooler> context) {
        return statusWriter.run(pooler, context, PostgresPoolerStatus::new, status -> {
            Outcome invalid = SpecValidator.outcome(PoolerSpecs.VALIDATOR.validate(pooler));
            if (invalid != null) {
                return invalid;
            }
            PostgresCluster cluster = context.getSecondaryResource(PostgresCluster.class).orElse(null);
            if (cluster != null && cluster.getSpec().isExternal()) {
                return Outcome.stalled(Reasons.NOT_SUPPORTED, "PostgresCluster " + clusterName(pooler)
                        + " is external: a pooler serves managed clusters only (run PgBouncer next to the external server)");
            }
            try {
                ClusterAccess.Target target = clusters.ready(cluster, clusterName(pooler), null);
                return apply(pooler, target, context, status);
            } catch (ClusterAccess.WaitingException e) {
                return e.outcome();
            } catch (SQLException e) {
                return Outcome.reconciling(SqlErrors.reason(e), "SQL failed, will retry: " + Messages.firstLine(e));
            }
        });
    }

    private Outcome apply(PostgresPooler pooler, ClusterAccess.Target target, Context<PostgresPooler> context,
                          PostgresPoolerStatus status) throws SQLException {
        PostgresCluster cluster = target.cluster();
        String ns = pooler.getMetadata().getNamespace();
        SecretLookup secrets = secretCaches.lookup();
        // the lookup role's password belongs to the cluster (every pooler of it logs in as that role)
        GeneratedSecrets.ensure(client, secrets, cluster, PoolerNames.authSecret(cluster), PoolerNames.AUTH_ROLE,
                Map.of("app.kubernetes.io/managed-by", "shopdb-operator"), true, null);
        GeneratedSecrets.ensure(client, secrets, pooler, PoolerObjects.adminSecret(pooler), PoolerNames.ADMIN_USER,
                PoolerObjects.labels(pooler), true, null);
        char[] authPassword = secrets.read(ns, PoolerNames.authSecret(cluster), "password");
        char[] adminPassword = secrets.read(ns, PoolerObjects.adminSecret(pooler), "password");
        String caPem = ClusterTlsSecrets.value(secrets.get(ns, ClusterTls.serverSecret(cluster)), ClusterTlsSecrets.CA_CERT);
        if (authPassword == null || adminPassword == null || caPem == null) {
            return Outcome.reconciling("WaitingForSecrets", "Waiting for the lookup role's, the console's and the cluster's CA Secrets");
        }
        ClusterTlsSecrets.Result tls;
        try {
            tls = PoolerTls.ensure(client, secrets, pooler, cluster, java.time.Instant.now());
        } catch (ClusterTlsSecrets.CaException e) {
            // the cluster is Ready, so its CA was readable a moment ago: a CA that went missing or bad is the cluster's to report
            return Outcome.reconciling(Reasons.CREDENTIALS_MISSING, "The cluster's CA cannot sign the pooler's certificate: " + e.getMessage());
        }
        if (tls.wrote()) {
            events.normal(pooler, "CertificateIssued", "Issued the PgBouncer certificate " + tls.server().getSerialNumber().toString(16)
                    + " (" + tls.issued() + "), valid until " + tls.server().getNotAfter().toInstant());
        }
        installLookup(target, authPassword);
        String serverHost = (pooler.getSpec().getTarget() == PostgresPoolerSpec.Target.ro ? ClusterNames.readService(cluster)
                : ClusterNames.writeService(cluster)) + "." + ns + ".svc";
        Map<String, String> files = PgBouncerConfig.files(pooler.getSpec(), serverHost, ClusterNames.PORT, PoolerAuth.AUTH_QUERY,
                new PgBouncerConfig.Credentials(PoolerNames.AUTH_ROLE, new String(authPassword), PoolerNames.ADMIN_USER, new String(adminPassword)),
                caPem);
        String hash = PoolerObjects.hash(files, tls.server().getSerialNumber().toString(16));
        Secret cachedConfig = secrets.get(ns, PoolerObjects.configSecret(pooler));
        DesiredState.applyCached(client, pooler, PoolerObjects.config(pooler, files), cachedConfig);
        Deployment cachedDeployment = context.getSecondaryResources(Deployment.class).stream().findFirst().orElse(null);
        var pgbouncer = PoolerObjects.deployment(pooler, cachedDeployment, config.agent().image(), hash);
        var written = DesiredState.applyCached(client, pooler, pgbouncer.workload(), cachedDeployment);
        status.setImage(pgbouncer.image());
        if (written == DesiredState.Result.UPDATED && cachedDeployment != null) {
            events.normal(pooler, "RollingPods", "PgBouncer configuration " + hash + ": rolling the pods");
        }
        DesiredState.applyCached(client, pooler, PoolerObjects.service(pooler), cachedService(context, PoolerObjects.serviceName(pooler)));
        DesiredState.applyCached(client, pooler, PoolerObjects.headlessService(pooler), cachedService(context, PoolerObjects.podsService(pooler)));
        switchover.resumeStale(pooler);
        status.setService(PoolerObjects.serviceName(pooler));
        status.setServerHost(serverHost);
        status.setConfigHash(hash);
        return podsReport(pooler, cachedDeployment, written, status);
    }

    private static Service cachedService(Context<PostgresPooler> context, String name) {
        return context.getSecondaryResources(Service.class).stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst().orElse(null);
    }

    /**
     * The lookup role, then the function in every database; DDL only when something differs. template1 (so a
     * database created later has it at once) is visited once per cluster and process: every connection to it
     * would make a concurrent CREATE DATABASE fail ("source database is being accessed by other users").
     */
    private void installLookup(ClusterAccess.Target target, char[] authPassword) throws SQLException {
        List<String> databases;
        try (Connection c = target.open()) {
            target.changingCatalog("postgres", () -> PoolerAuth.ensureRole(c, PoolerNames.AUTH_ROLE, authPassword));
            databases = PoolerAuth.databases(c);
        }
        String clusterKey = target.cluster().getMetadata().getUid();
        for (String db : databases) {
            boolean template = PoolerAuth.TEMPLATE.equals(db);
            if (template && templatesDone.contains(clusterKey)) {
                continue;
            }
            try (Connection c = target.open(db)) {
                target.changingCatalog(db, () -> PoolerAuth.ensureFunction(c, PoolerNames.AUTH_ROLE));
            } finally {
                if (template) {
                    // CREATE DATABASE fails while anyone is connected to its template: keep no idle session there
                    target.closePool(db);
                }
            }
            if (template) {
                templatesDone.add(clusterKey);
            }
        }
    }

    private static Outcome podsReport(PostgresPooler pooler, Deployment d, DesiredState.Result written, PostgresPoolerStatus status) {
        int desired = pooler.getSpec().getInstances();
        if (d == null || written != DesiredState.Result.NOOP) {
            status.setInstances("0/" + desired);
            return Outcome.waitingForEvent("WaitingForPods", "PgBouncer pods are starting");
        }
        var s = d.getStatus();
        int ready = s == null || s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
        int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
        int total = s == null || s.getReplicas() == null ? 0 : s.getReplicas();
        boolean observed = s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= d.getMetadata().getGeneration();
        status.setInstances(Math.min(ready, desired) + "/" + desired);
        if (observed && ready >= desired && updated >= desired && total == desired) {
            return Outcome.ready(Reasons.READY, desired + " PgBouncer pod(s) serve " + status.getServerHost() + " in "
                    + pooler.getSpec().getPoolMode() + " mode");
        }
        return Outcome.waitingForEvent("WaitingForPods", ready + " of " + desired + " PgBouncer pod(s) ready"
                + (updated < desired ? ", " + updated + " on the current configuration" : ""));
    }
}
